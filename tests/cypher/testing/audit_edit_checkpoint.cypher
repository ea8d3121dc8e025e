// Test tampering: change properties of a stored audit checkpoint (its root, seq, signature...).
MATCH (c:AuditCheckpoint {chain: $chain, seq: $seq})
SET c += $changes
