// Re-sign one stored checkpoint with the current key, only while it still carries the
// signature that was checked (a key rotation; its chain, seq, root and time stay).
MATCH (c:AuditCheckpoint {chain: $chain, seq: $seq})
WHERE c.public_key = $previous_key AND c.signature = $previous_signature
SET c.public_key = $public_key, c.signature = $signature
RETURN count(c) AS updated
