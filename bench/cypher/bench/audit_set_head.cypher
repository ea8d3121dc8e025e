// Benchmark set-up: point a generated chain's head at its last event.
MERGE (h:AuditHead {chain: $chain})
SET h.seq = $seq, h.hash = $hash
