// Co-pilot curated: ingestion runs that failed, with their code (files, no table data).
MATCH (run:IngestionRun {status: 'failed'})
WHERE $whole_workspace
RETURN run.path AS path, run.error_code AS code
ORDER BY path
