// Uniqueness of AuditEvent.seq: MERGE on it is safe under concurrency.
CREATE CONSTRAINT audit_event_seq_unique IF NOT EXISTS
FOR (n:AuditEvent) REQUIRE n.seq IS UNIQUE
