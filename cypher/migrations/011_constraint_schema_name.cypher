// Uniqueness of Schema.name: MERGE on it is safe under concurrency.
CREATE CONSTRAINT schema_name_unique IF NOT EXISTS
FOR (n:Schema) REQUIRE n.name IS UNIQUE
