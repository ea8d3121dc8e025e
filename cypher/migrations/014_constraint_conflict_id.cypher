// Uniqueness of Conflict.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT conflict_id_unique IF NOT EXISTS
FOR (n:Conflict) REQUIRE n.id IS UNIQUE
