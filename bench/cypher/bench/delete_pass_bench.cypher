// Benchmark tear-down: up to $limit conflicts and facts of the after-ingest benchmark per call
// (their entity keys carry the prefix), before its sources go.
MATCH (n)
WHERE (n:Conflict OR n:Fact) AND n.key STARTS WITH $prefix
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
