// A file that could not be ingested: its run is `failed` with a specific error. Nothing else
// about the file is written.
MERGE (s:Source {id: $source.id})
  ON CREATE SET s += $source, s.trust = $initial_trust, s.created_at = datetime()
MERGE (run:IngestionRun {id: $run.id})
  ON CREATE SET run.started_at = datetime()
SET run += $run, run.status = 'failed', run.error = $error, run.error_code = $error_code,
    run.finished_at = datetime()
RETURN run.id AS id
