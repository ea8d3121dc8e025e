// Uniqueness of TrustAggregate.table: one stored trust aggregate per table.
CREATE CONSTRAINT trust_aggregate_table IF NOT EXISTS
FOR (n:TrustAggregate) REQUIRE n.table IS UNIQUE
