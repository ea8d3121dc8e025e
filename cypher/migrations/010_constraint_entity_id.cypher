// Uniqueness of Entity.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT entity_id_unique IF NOT EXISTS
FOR (n:Entity) REQUIRE n.id IS UNIQUE
