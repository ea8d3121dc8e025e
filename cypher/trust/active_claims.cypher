// One page of the active rows, in row-id order (keyset pagination: pass the last id of the
// previous page as $after), each with its active document and source. A row has one active
// document: its id includes its file, and only one version of a file is active. The page is
// one record of lists ([id, table, key, values, reads, document, source, ingested_ms, rejected]):
// many small records cost the driver far more than one large one.
MATCH (r:Row)
USING INDEX r:Row(id)
WHERE r.id > $after AND r.status = 'active'
WITH r ORDER BY r.id LIMIT $limit
OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d:Document {status: 'active'})-[:FROM_SOURCE]->(s:Source)
RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), d.id, s.id,
                d.ingested_at.epochMillis, coalesce(r.rejected_attributes, [])]) AS rows
