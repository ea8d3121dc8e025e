// The most recently ingested active documents with their source, a few of their rows' values
// and their first text chunk: what a changed ingestion policy would be checked against.
MATCH (d:Document {status: 'active'})
WITH d ORDER BY d.ingested_at DESC LIMIT $limit
OPTIONAL MATCH (d)-[:FROM_SOURCE]->(s:Source)
CALL (d) {
  OPTIONAL MATCH (r:Row)-[:EXTRACTED_FROM]->(d)
  WITH r LIMIT $sample_rows
  RETURN collect(r.values) AS values
}
CALL (d) {
  OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
  WITH c ORDER BY c.ordinal LIMIT 1
  RETURN c.text AS text
}
RETURN d.id AS id, d.path AS path, coalesce(s.id, d.source) AS source, d.mime AS mime,
       d.size AS size, values, text
