// Benchmark tear-down: remove up to $limit probes per call.
MATCH (p:BenchProbe)
WITH p LIMIT $limit
DETACH DELETE p
RETURN count(*) AS deleted
