// Test tampering and set-up: point a chain's head at another seq and hash (creating it).
MERGE (h:AuditHead {chain: $chain})
SET h.seq = $seq, h.hash = $hash
