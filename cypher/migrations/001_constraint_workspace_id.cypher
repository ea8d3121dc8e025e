// Uniqueness of Workspace.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT workspace_id_unique IF NOT EXISTS
FOR (n:Workspace) REQUIRE n.id IS UNIQUE
