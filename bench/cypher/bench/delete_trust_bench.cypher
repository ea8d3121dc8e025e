// Benchmark tear-down: up to $limit nodes of the trust benchmark per call.
MATCH (n)
WHERE (n:Row OR n:Entity OR n:Fact OR n:Document OR n:Source) AND n.id STARTS WITH $prefix
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
