// Range index for lookups and filters on IngestionRun.status.
CREATE INDEX ingestion_run_status IF NOT EXISTS
FOR (n:IngestionRun) ON (n.status)
