// A page of the main chain's audit events, newest first, before $before_seq when given, of
// the targets $targets (every target when null): what an activity feed reads. Written as a
// range on (chain, seq) so the index serves the order with no sort.
MATCH (e:AuditEvent)
WHERE e.chain = $chain AND e.seq < coalesce($before_seq, 9223372036854775807)
  AND ($targets IS NULL OR e.target IN $targets)
RETURN e.seq AS seq, e.at AS at, e.actor AS actor, e.action AS action, e.target AS target
ORDER BY e.chain, e.seq DESC
LIMIT $limit
