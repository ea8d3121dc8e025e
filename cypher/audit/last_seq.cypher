// The highest seq of any event in a chain (no row when it has none).
MATCH (e:AuditEvent {chain: $chain})
WHERE e.seq IS NOT NULL
RETURN e.seq AS seq
ORDER BY e.seq DESC
LIMIT 1
