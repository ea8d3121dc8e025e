// The active rows that describe some entities (the part an incremental update recomputes),
// as one record of lists like `active_claims`.
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row {status: 'active'})
MATCH (r)-[:EXTRACTED_FROM]->(d:Document {status: 'active'})-[:FROM_SOURCE]->(s:Source)
WITH r, d, s ORDER BY r.id
RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), d.id, s.id,
                d.ingested_at.epochMillis, coalesce(r.rejected_attributes, [])]) AS rows
