// Test-only: the rows of table $table and its stored trust aggregate.
OPTIONAL MATCH (r:Row {table: $table})
DETACH DELETE r
WITH DISTINCT 1 AS done
OPTIONAL MATCH (a:TrustAggregate {table: $table})
DETACH DELETE a
