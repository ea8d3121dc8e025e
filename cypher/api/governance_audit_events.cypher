// A page of a chain's audit events, newest first (seq descending), before $before_seq
// when given; actor, action and target match exactly and $since bounds the time, each
// optional.
MATCH (e:AuditEvent {chain: $chain})
WHERE ($before_seq IS NULL OR e.seq < $before_seq)
  AND ($actor IS NULL OR e.actor = $actor)
  AND ($action IS NULL OR e.action = $action)
  AND ($target IS NULL OR e.target = $target)
  AND ($since IS NULL OR e.at >= $since)
RETURN e {.*} AS event
ORDER BY e.seq DESC
LIMIT $limit
