// Test tampering: point a chain's head at another seq and hash.
MATCH (h:AuditHead {chain: $chain})
SET h.seq = $seq, h.hash = $hash
