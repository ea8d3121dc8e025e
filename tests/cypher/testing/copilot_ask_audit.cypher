// Audit events of answered questions whose target contains a marker (the question).
MATCH (e:AuditEvent {action: 'copilot.ask'})
WHERE e.target CONTAINS $marker
RETURN e.actor AS actor, e.target AS target
