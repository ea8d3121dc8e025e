// Benchmark tear-down: up to $limit nodes of the conflict benchmark per call (conflicts are
// keyed by their entity, which carries the prefix).
MATCH (n)
WHERE ((n:Row OR n:Entity OR n:Fact OR n:Document OR n:Source) AND n.id STARTS WITH $prefix)
   OR (n:Conflict AND n.key STARTS WITH $prefix)
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
