// Test-only: the stored trust aggregate of $table, if any, removed.
MATCH (a:TrustAggregate {table: $table})
DELETE a
