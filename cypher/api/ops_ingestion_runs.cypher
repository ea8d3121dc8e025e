// Ingestion runs by status, for /metrics.
MATCH (run:IngestionRun)
RETURN coalesce(run.status, 'unknown') AS status, count(*) AS runs
