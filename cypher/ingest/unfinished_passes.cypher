// Active documents whose after-ingest pass is owed (see claim_pass.cypher), oldest first, with
// what the pass's events name: the file's path and its rows' table.
MATCH (d:Document {status: 'active'})
WHERE d.pipeline = 'pending'
   OR (d.pipeline = 'running' AND d.pipeline_until < datetime())
   OR (d.pipeline = 'failed' AND coalesce(d.pipeline_attempts, 0) < $max_attempts)
OPTIONAL MATCH (d)-[:CONFORMS_TO]->(:SchemaVersion)<-[:HAS_VERSION]-(table:Schema)
WITH d, min(table.name) AS table
RETURN d.id AS document_id, d.path AS path, table, d.rows AS rows
ORDER BY d.ingested_at
LIMIT $limit
