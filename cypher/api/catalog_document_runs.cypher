// The ingestion runs that wrote each document, oldest first, with the tables of its rows.
UNWIND $ids AS id
MATCH (d:Document {id: id})-[:INGESTED_BY]->(run:IngestionRun)
WITH id, d, run ORDER BY run.started_at, run.id
RETURN id,
       collect(run {.*}) AS runs,
       COLLECT { MATCH (d)-[:CONFORMS_TO]->(v:SchemaVersion) RETURN DISTINCT v.table } AS tables
