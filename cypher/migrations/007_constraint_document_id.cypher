// Uniqueness of Document.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT document_id_unique IF NOT EXISTS
FOR (n:Document) REQUIRE n.id IS UNIQUE
