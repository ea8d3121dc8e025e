// Uniqueness of Assignment.id (one assignment per reviewable node).
CREATE CONSTRAINT assignment_id IF NOT EXISTS
FOR (n:Assignment) REQUIRE n.id IS UNIQUE
