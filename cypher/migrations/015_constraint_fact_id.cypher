// Uniqueness of Fact.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT fact_id_unique IF NOT EXISTS
FOR (n:Fact) REQUIRE n.id IS UNIQUE
