// Uniqueness of AuditEvent.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT audit_event_id_unique IF NOT EXISTS
FOR (n:AuditEvent) REQUIRE n.id IS UNIQUE
