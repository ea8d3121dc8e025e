// A page of a chain's events in seq order (after_seq < seq <= through_seq) as ONE row of
// lists (one message of plain lists decodes far faster than a record or a map per event).
// Each event's properties are read in one pass over its property chain (`properties(e)`;
// reading each by name walked the chain once per property: a fifth of Neo4j's time here).
// Each list holds them in the order of governance.audit.PAGE_COLUMNS (not the chain, which
// the index seek fixes to $chain; `at` as epoch seconds and microseconds, null when it is
// not a datetime), then null, or when the event has another number of properties than its
// own (11, or 12 with hash_version), the names of those not in $properties, then the seqs
// of the chain's events that link to it by NEXT.
MATCH (e:AuditEvent {chain: $chain})
WHERE $after_seq < e.seq <= $through_seq
WITH e
ORDER BY e.chain, e.seq
LIMIT $limit
WITH e, properties(e) AS p
ORDER BY e.chain, e.seq
WITH e, p, p.at IS :: ZONED DATETIME AS dated
RETURN
  collect([
    p.seq,
    p.id,
    p.actor,
    p.action,
    p.target,
    p.before_digest,
    p.after_digest,
    CASE WHEN dated THEN p.at.epochSeconds END,
    CASE WHEN dated THEN p.at.microsecond END,
    p.prev_hash,
    p.hash,
    p.hash_version,
    CASE size(keys(p))
      WHEN CASE WHEN p.hash_version IS NULL THEN 11 ELSE 12 END THEN null
      ELSE [name IN keys(p) WHERE NOT name IN $properties]
    END,
    [(previous:AuditEvent {chain: $chain})-[:NEXT]->(e) | previous.seq]
  ]) AS page
