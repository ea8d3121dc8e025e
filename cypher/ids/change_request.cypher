// Up to two change request ids starting with $prefix, an exact id first: enough to tell an
// exact or unique prefix from an unknown or ambiguous one.
MATCH (n:ChangeRequest)
WHERE n.id STARTS WITH $prefix
RETURN n.id AS id, n.id = $prefix AS exact
ORDER BY n.id <> $prefix, n.id
LIMIT 2
