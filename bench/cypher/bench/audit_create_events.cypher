// Benchmark set-up: write generated, already hashed events of a chain, each linked from
// its predecessor by NEXT (the head is set once at the end by bench/audit_set_head).
UNWIND $events AS event
CREATE (e:AuditEvent)
SET e = event
WITH e
MATCH (previous:AuditEvent {chain: e.chain, seq: e.seq - 1})
CREATE (previous)-[:NEXT]->(e)
