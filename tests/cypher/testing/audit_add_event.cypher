// Test tampering: add a bare audit event of a chain at $seq (any number), linked to nothing.
CREATE (:AuditEvent {chain: $chain, seq: $seq, hash: $hash})
