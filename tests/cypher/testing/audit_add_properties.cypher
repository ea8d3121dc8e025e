// Test tampering: add (or overwrite) properties of one audit event, leaving its hash.
MATCH (e:AuditEvent {chain: $chain, seq: $seq})
SET e += $properties
