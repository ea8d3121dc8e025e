// Uniqueness of Comment.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT comment_id_unique IF NOT EXISTS
FOR (n:Comment) REQUIRE n.id IS UNIQUE
