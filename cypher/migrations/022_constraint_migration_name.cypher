// Uniqueness of Migration.name: MERGE on it is safe under concurrency.
CREATE CONSTRAINT migration_name_unique IF NOT EXISTS
FOR (n:Migration) REQUIRE n.name IS UNIQUE
