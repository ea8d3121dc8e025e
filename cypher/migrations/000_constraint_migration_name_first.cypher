// Uniqueness of Migration.name before any migration is recorded, so that processes starting
// together on a fresh database cannot record one migration twice (their concurrent MERGEs
// found no node and each created one; 022, the same constraint, then failed). 022 is kept
// for databases that applied it: on them this is a no-op.
CREATE CONSTRAINT migration_name_unique IF NOT EXISTS
FOR (n:Migration) REQUIRE n.name IS UNIQUE
