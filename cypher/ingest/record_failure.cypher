// A file that was not ingested: its run is `failed` (or `awaiting_approval`, for a high-risk
// file an admin must approve first) with a specific reason. Nothing else of the file is written.
MERGE (s:Source {id: $source.id})
  ON CREATE SET s += $source, s.trust = $initial_trust, s.created_at = datetime()
SET s.name = $source.name
MERGE (run:IngestionRun {id: $run.id})
  ON CREATE SET run.started_at = datetime()
SET run += $run, run.status = $status, run.error = $error, run.error_code = $error_code,
    run.finished_at = datetime(), run.rows = 0, run.skipped = 0, run.warnings = []
RETURN run.id AS id
