// Every ingestion run of one source, for the outcome tests.
MATCH (run:IngestionRun {source: $source})
RETURN run.path AS path, run.sha256 AS sha256, run.status AS status,
       run.error_code AS error_code, run.error AS error
ORDER BY path, sha256
