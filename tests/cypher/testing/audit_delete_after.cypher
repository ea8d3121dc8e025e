// Test tampering: delete the audit events after seq $keep (the tail).
MATCH (e:AuditEvent {chain: $chain})
WHERE e.seq > $keep
DETACH DELETE e
