// The active rows of one document and one table (the incremental check after an ingest), in
// the list form of `table_rows`: [id, key, values, created_ms, trust, violations].
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {id: $document_id})
WHERE r.table = $table AND r.status IN $statuses
WITH r ORDER BY r.id
RETURN collect([r.id, r.key, r.values, r.created_at.epochMillis, r.trust,
                [(r)-[e:VIOLATES]->(p:Policy) | p.id + '|' + e.rule]]) AS rows
