// Benchmark tear-down: remove up to $limit bare rows per call.
MATCH (r:BenchBareRow)
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
