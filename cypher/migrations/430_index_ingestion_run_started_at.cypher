// Range index on IngestionRun.started_at: `ingestionRuns` lists runs newest first and from a date.
CREATE INDEX ingestion_run_started_at IF NOT EXISTS
FOR (n:IngestionRun) ON (n.started_at)
