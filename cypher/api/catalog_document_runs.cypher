// The ingestion runs that wrote each document, oldest first.
UNWIND $ids AS id
MATCH (:Document {id: id})-[:INGESTED_BY]->(run:IngestionRun)
WITH id, run ORDER BY run.started_at, run.id
RETURN id, collect(run {.*}) AS runs
