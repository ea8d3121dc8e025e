// One ingestion run, for the CLI and tests.
MATCH (run:IngestionRun {id: $run_id})
RETURN run {.*} AS run
