// One active document's after-ingest pass when it is owed (see unfinished_passes.cypher).
MATCH (d:Document {id: $document_id, status: 'active'})
WHERE d.pipeline = 'pending'
   OR (d.pipeline = 'running' AND d.pipeline_until < datetime())
   OR (d.pipeline = 'failed' AND coalesce(d.pipeline_attempts, 0) < $max_attempts)
OPTIONAL MATCH (d)-[:CONFORMS_TO]->(:SchemaVersion)<-[:HAS_VERSION]-(table:Schema)
WITH d, min(table.name) AS table
RETURN d.id AS document_id, d.path AS path, table, d.rows AS rows
