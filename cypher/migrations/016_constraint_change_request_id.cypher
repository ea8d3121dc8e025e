// Uniqueness of ChangeRequest.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT change_request_id_unique IF NOT EXISTS
FOR (n:ChangeRequest) REQUIRE n.id IS UNIQUE
