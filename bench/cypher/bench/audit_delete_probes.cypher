// Benchmark tear-down: remove up to $limit probe nodes of one run per call.
MATCH (p:BenchAuditProbe {run: $run})
WITH p
LIMIT $limit
DETACH DELETE p
RETURN count(*) AS deleted
