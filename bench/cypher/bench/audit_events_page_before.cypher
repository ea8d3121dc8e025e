// Benchmark baseline: audit/events_page as it was before it read each event's properties
// in one pass (`properties(e)`); each read by name walked the property chain again.
// A page of a chain's events in seq order (after_seq < seq <= through_seq) as ONE row of
// lists (one message of plain lists decodes far faster than a record or a map per event).
// Each list holds the event's properties in the order of governance.audit.PAGE_COLUMNS
// (`at` as epoch seconds and microseconds, null when it is not a datetime), then the names
// of its properties not in $properties, then the seqs of the chain's events that link to
// it by NEXT.
MATCH (e:AuditEvent {chain: $chain})
WHERE $after_seq < e.seq <= $through_seq
WITH e
ORDER BY e.chain, e.seq
LIMIT $limit
WITH e, e.at IS :: ZONED DATETIME AS dated
ORDER BY e.chain, e.seq
RETURN
  collect([
    e.seq,
    e.chain,
    e.id,
    e.actor,
    e.action,
    e.target,
    e.before_digest,
    e.after_digest,
    CASE WHEN dated THEN e.at.epochSeconds END,
    CASE WHEN dated THEN e.at.microsecond END,
    e.prev_hash,
    e.hash,
    e.hash_version,
    [name IN keys(e) WHERE NOT name IN $properties],
    [(previous:AuditEvent {chain: $chain})-[:NEXT]->(e) | previous.seq]
  ]) AS page
