// Test tampering: change the actor of one audit event, leaving its hash.
MATCH (e:AuditEvent {chain: $chain, seq: $seq})
SET e.actor = $actor
