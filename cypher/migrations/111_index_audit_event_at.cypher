// Range index for lookups and filters on AuditEvent.at.
CREATE INDEX audit_event_at IF NOT EXISTS
FOR (n:AuditEvent) ON (n.at)
