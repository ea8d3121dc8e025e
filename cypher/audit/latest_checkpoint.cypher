// The stored checkpoint of a chain with the highest seq.
MATCH (c:AuditCheckpoint {chain: $chain})
RETURN c {.*} AS checkpoint
ORDER BY c.seq DESC
LIMIT 1
