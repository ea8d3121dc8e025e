// Uniqueness of Row.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT row_id_unique IF NOT EXISTS
FOR (n:Row) REQUIRE n.id IS UNIQUE
