// Benchmark: remove up to $limit Fact nodes of table $table; how many went.
MATCH (f:Fact {table: $table})
WITH f LIMIT $limit
DETACH DELETE f
RETURN count(*) AS deleted
