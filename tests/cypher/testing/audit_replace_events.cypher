// Test set-up and tampering: replace every property of audit events (matched by chain and
// seq), so a property left out is removed; creates the ones missing, linked by NEXT.
UNWIND $events AS event
MERGE (e:AuditEvent {chain: $chain, seq: event.seq})
SET e = event
WITH e
MATCH (previous:AuditEvent {chain: $chain, seq: e.seq - 1})
MERGE (previous)-[:NEXT]->(e)
