// Uniqueness of Source.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT source_id_unique IF NOT EXISTS
FOR (n:Source) REQUIRE n.id IS UNIQUE
