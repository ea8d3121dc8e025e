// A page of a chain's events in seq order (after_seq < seq <= through_seq), each with the
// seqs of the events of the chain that link to it by NEXT, as ONE row (a page in one
// message decodes far faster than a record per event). `at` comes as epoch seconds and
// microseconds (null when it is not a datetime), which is also much cheaper to decode.
MATCH (e:AuditEvent {chain: $chain})
WHERE $after_seq < e.seq <= $through_seq
WITH e
ORDER BY e.seq
LIMIT $limit
OPTIONAL MATCH (previous:AuditEvent {chain: $chain})-[:NEXT]->(e)
WITH e, collect(previous.seq) AS linked_from
WITH e, linked_from, e.at IS :: ZONED DATETIME AS dated
ORDER BY e.seq
RETURN
  collect({
    event: e {
      .*,
      at: null,
      at_seconds: CASE WHEN dated THEN e.at.epochSeconds END,
      at_micros: CASE WHEN dated THEN e.at.microsecond END
    },
    linked_from: linked_from
  }) AS page
