// The active version of every policy, with its definition.
MATCH (p:Policy {status: 'active'})
WHERE p.definition IS NOT NULL
RETURN p {.*} AS version
ORDER BY p.name
