// Uniqueness of IngestionRun.id: MERGE on it is safe under concurrency.
CREATE CONSTRAINT ingestion_run_id_unique IF NOT EXISTS
FOR (n:IngestionRun) REQUIRE n.id IS UNIQUE
