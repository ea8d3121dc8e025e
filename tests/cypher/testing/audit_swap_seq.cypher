// Test tampering: swap the seqs of two adjacent audit events (the NEXT edges stay).
MATCH (a:AuditEvent {chain: $chain, seq: $seq}), (b:AuditEvent {chain: $chain, seq: $seq + 1})
WITH a, b, a.seq AS first, b.seq AS second
SET a.seq = null, b.seq = first, a.seq = second
