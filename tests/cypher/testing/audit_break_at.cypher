// Test tampering: replace one audit event's time with text (no longer an event's shape).
MATCH (e:AuditEvent {chain: $chain, seq: $seq})
SET e.at = $text
