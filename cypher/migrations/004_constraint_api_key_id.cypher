// Uniqueness of ApiKey.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT api_key_id_unique IF NOT EXISTS
FOR (n:ApiKey) REQUIRE n.id IS UNIQUE
