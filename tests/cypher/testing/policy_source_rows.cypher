// The active rows one source brought in, with their table and values.
MATCH (r:Row {status: 'active'})-[:EXTRACTED_FROM]->(:Document {source: $source, status: 'active'})
RETURN r.id AS id, r.table AS table, r.key AS key, r.values AS values
ORDER BY id
