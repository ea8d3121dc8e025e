// The stored checkpoints of every chain not signed by the current checkpoint key (a key
// rotation re-signs them before the old key is retired).
MATCH (c:AuditCheckpoint)
WHERE c.public_key <> $public_key
RETURN c {.*} AS checkpoint
ORDER BY c.chain, c.seq
