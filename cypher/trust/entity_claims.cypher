// The active rows that describe some entities (the part an incremental update recomputes),
// as one record of lists like `documents_claims`.
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row {status: 'active'})
MATCH (r)-[:EXTRACTED_FROM]->(d:Document {status: 'active'})-[:FROM_SOURCE]->(s:Source)
RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), d.id, s.id,
                d.ingested_at.epochMillis, coalesce(r.rejected_attributes, []),
                CASE WHEN r.trust_mode IS NULL THEN null ELSE r.trust END,
                r.trust_mode = $mode AND coalesce(r.trust_model, 0) = $model, r.value_hashes,
                COUNT { (r)-[:VIOLATES]->(:Policy) }]) AS rows
