// Test tampering: overwrite the stored fields of audit events (matched by chain and seq).
UNWIND $events AS event
MATCH (e:AuditEvent {chain: $chain, seq: event.seq})
SET e += event
