// Runs of one source, for listings and failure reports.
CREATE INDEX ingestion_run_source IF NOT EXISTS
FOR (n:IngestionRun) ON (n.source)
