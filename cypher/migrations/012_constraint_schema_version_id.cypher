// Uniqueness of SchemaVersion.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT schema_version_id_unique IF NOT EXISTS
FOR (n:SchemaVersion) REQUIRE n.id IS UNIQUE
