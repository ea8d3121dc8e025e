// A page of a chain's audit events, newest first (seq descending), before $before_seq
// when given; actor, action and target match exactly and $since bounds the time, each
// optional. Written as a range on (chain, seq) so the index serves the order with no sort.
MATCH (e:AuditEvent)
WHERE e.chain = $chain AND e.seq < coalesce($before_seq, 9223372036854775807)
  AND ($actor IS NULL OR e.actor = $actor)
  AND ($action IS NULL OR e.action = $action)
  AND ($target IS NULL OR e.target = $target)
  AND ($since IS NULL OR e.at >= $since)
RETURN e {.*} AS event
ORDER BY e.chain, e.seq DESC
LIMIT $limit
