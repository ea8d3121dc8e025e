// A page of ingestion runs, newest first (started_at, then id, descending), started between
// $since and $until (both always given, so the started_at index yields the runs in order and
// the page stops early). After a cursor, $until is its run's start and $after_id its id: runs
// started then come after it only with a smaller id. Status and source filters optional. With $tables (not null), only runs the caller may read: those of
// a document whose rows conform to one of $tables, or, when $rowless, those with no table (a
// failed file, a text, a file waiting for its table).
MATCH (run:IngestionRun)
WHERE run.started_at >= $since AND run.started_at <= $until
  AND ($status IS NULL OR run.status = $status)
  AND ($source IS NULL OR run.source = $source)
  AND ($after_id IS NULL OR run.started_at < $until OR run.id < $after_id)
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
