// Benchmark tear-down: remove up to $limit rows of the benchmark tables per call.
MATCH (r:Row) WHERE r.table IN $tables
WITH r LIMIT $limit
DETACH DELETE r
RETURN count(*) AS deleted
