// The ids of the active policy versions (cheap: to notice that they changed).
MATCH (p:Policy {status: 'active'})
WHERE p.definition IS NOT NULL
RETURN p.id AS id
