// Test-only: every stored trust aggregate with all its properties, to prove none moved.
MATCH (a:TrustAggregate)
RETURN a.table AS table, properties(a) AS properties
ORDER BY table
