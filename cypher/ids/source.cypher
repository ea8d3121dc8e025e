// Up to two source ids starting with $prefix, or whose name (the id after its kind, as in
// `folder:NAME`) does, an exact id or name first: enough to tell an exact or unique prefix
// from an unknown or ambiguous one.
MATCH (n:Source)
WHERE n.id STARTS WITH $prefix OR n.name STARTS WITH $prefix
WITH n, n.id = $prefix OR n.name = $prefix AS exact
RETURN n.id AS id, exact
ORDER BY NOT exact, n.id
LIMIT 2
