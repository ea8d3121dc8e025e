// Test: the NEXT edges of an audit chain as (from seq, to seq) pairs.
MATCH (a:AuditEvent {chain: $chain})-[:NEXT]->(b:AuditEvent)
RETURN a.seq AS from, b.seq AS to
ORDER BY a.seq
