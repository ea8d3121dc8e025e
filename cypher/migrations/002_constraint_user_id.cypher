// Uniqueness of User.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT user_id_unique IF NOT EXISTS
FOR (n:User) REQUIRE n.id IS UNIQUE
