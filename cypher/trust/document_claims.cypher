// The entities a document's rows describe and the active rows that describe them (what an
// incremental update after that document recomputes), in one round trip; rows as in
// `documents_claims`.
MATCH (:Document {id: $document_id})<-[:EXTRACTED_FROM]-(:Row)-[:DESCRIBES]->(e:Entity)
WITH collect(DISTINCT e) AS entities
CALL (entities) {
  UNWIND entities AS e
  MATCH (e)<-[:DESCRIBES]-(r:Row {status: 'active'})
  MATCH (r)-[:EXTRACTED_FROM]->(d:Document {status: 'active'})-[:FROM_SOURCE]->(s:Source)
  RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), d.id, s.id,
                  d.ingested_at.epochMillis, coalesce(r.rejected_attributes, []),
                  CASE WHEN r.trust_mode IS NULL THEN null ELSE r.trust END,
                  r.trust_mode = $mode AND coalesce(r.trust_model, 0) = $model, r.value_hashes,
                COUNT { (r)-[:VIOLATES]->(:Policy) }]) AS rows
}
RETURN [e IN entities | e.id] AS entities, rows
