// Audit events whose target contains a marker (the co-pilot's MCP tests: calls are audited).
MATCH (e:AuditEvent)
WHERE e.target CONTAINS $marker AND e.action STARTS WITH 'mcp.'
RETURN e.action AS action, e.actor AS actor
