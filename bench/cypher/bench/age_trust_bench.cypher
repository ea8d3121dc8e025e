// Benchmark: the documents of the trust benchmark, ingested $days days earlier than they
// were (so the next recompute applies that much decay).
MATCH (d:Document)
WHERE d.id STARTS WITH $prefix
SET d.ingested_at = d.ingested_at - duration({days: $days})
