// Test data: an active document just ingested, with some of its rows.
MERGE (d:Document {id: $id})
SET d.path = $path, d.source = $source, d.mime = $mime, d.size = $size, d.sha256 = $id,
    d.version = 1, d.status = 'active', d.ingested_at = datetime()
WITH d
UNWIND $rows AS row_id
MATCH (r:Row {id: row_id})
MERGE (r)-[:EXTRACTED_FROM]->(d)
