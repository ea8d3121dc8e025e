// A page of ingestion runs, newest first (started_at, then id, descending), after the cursor
// ($after_at, $after_id) when given; status, source and since filters each optional. With
// $tables (not null), only runs the caller may read: those of a document whose rows conform
// to one of $tables, or, when $rowless, those with no table (a failed file, a text, a file
// waiting for its table).
MATCH (run:IngestionRun)
WHERE ($status IS NULL OR run.status = $status)
  AND ($source IS NULL OR run.source = $source)
  AND ($since IS NULL OR run.started_at >= $since)
  AND ($after_at IS NULL
       OR run.started_at < $after_at
       OR (run.started_at = $after_at AND run.id < $after_id))
WITH run,
     COLLECT { MATCH (d:Document)-[:INGESTED_BY]->(run) RETURN d.id ORDER BY d.id }[0] AS document,
     COLLECT {
       MATCH (d:Document)-[:INGESTED_BY]->(run), (d)-[:CONFORMS_TO]->(v:SchemaVersion)
       RETURN DISTINCT v.table
     } AS tables
WHERE $tables IS NULL
   OR any(table IN tables WHERE table IN $tables)
   OR ($rowless AND size(tables) = 0)
WITH run, document, tables ORDER BY run.started_at DESC, run.id DESC LIMIT $limit
RETURN run {.*} AS run, document, tables
