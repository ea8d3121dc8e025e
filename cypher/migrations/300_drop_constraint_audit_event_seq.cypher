// AuditEvent.seq is unique per chain, not globally: drop 019's constraint (see 301).
DROP CONSTRAINT audit_event_seq_unique IF EXISTS
