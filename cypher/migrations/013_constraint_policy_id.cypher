// Uniqueness of Policy.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT policy_id_unique IF NOT EXISTS
FOR (n:Policy) REQUIRE n.id IS UNIQUE
