// Every stored checkpoint of a chain, by seq.
MATCH (c:AuditCheckpoint {chain: $chain})
RETURN c {.*} AS checkpoint
ORDER BY c.seq
