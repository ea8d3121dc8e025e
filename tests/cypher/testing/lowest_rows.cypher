// Test-only: the least trusted rows each table of $tables keeps on its trust aggregate.
UNWIND $tables AS name
OPTIONAL MATCH (a:TrustAggregate {table: name})
RETURN name AS table, a.lowest AS ids, a.lowest_trust AS trust, a.lowest_all AS whole,
       coalesce(a.lowest_refills, 0) AS refills
