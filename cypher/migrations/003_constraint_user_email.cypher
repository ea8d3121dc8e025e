// Uniqueness of User.email: MERGE on it is safe under concurrency.
CREATE CONSTRAINT user_email_unique IF NOT EXISTS
FOR (n:User) REQUIRE n.email IS UNIQUE
