// Uniqueness of Chunk.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT chunk_id_unique IF NOT EXISTS
FOR (n:Chunk) REQUIRE n.id IS UNIQUE
