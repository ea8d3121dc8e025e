// The entities a document's rows describe and the active rows that describe them (what an
// incremental update after that document recomputes), in one round trip; rows as in
// `documents_claims`. Rows are grouped by document first, so each document's status and
// source are read once, not once per row. (`VIOLATES` edges always end at a `Policy`.)
// Rows and their documents are reached only by expanding from the document and its entities, never by a label or
// an index of theirs: a plan made while the store held few rows would otherwise seek every
// active row once per entity (tests/integration/test_anchored_plans.py).
MATCH (:Document {id: $document_id})<-[:EXTRACTED_FROM]-()-[:DESCRIBES]->(e)
WITH collect(DISTINCT e) AS entities
CALL (entities) {
  UNWIND entities AS e
  MATCH (e)<-[:DESCRIBES]-(r)-[:EXTRACTED_FROM]->(d)
  WHERE r.status = 'active'
  WITH d, collect(r) AS rows
  WHERE d.status = 'active'
  MATCH (d)-[:FROM_SOURCE]->(s:Source)
  WITH d.id AS document, s.id AS source, d.ingested_at.epochMillis AS ingested, rows
  UNWIND rows AS r
  RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), document, source,
                  ingested, coalesce(r.rejected_attributes, []),
                  CASE WHEN r.trust_mode IS NULL THEN null ELSE r.trust END,
                  r.trust_mode = $mode AND coalesce(r.trust_model, 0) = $model
                  AND CASE WHEN $full THEN size(r.trust_features) = 9 AND r.trust_features[8] = 0
                           ELSE true END, r.value_hashes,
                  COUNT { (r)-[:VIOLATES]->() }, elementId(r),
                CASE WHEN $full THEN r.trust_features END]) AS rows
}
RETURN [e IN entities | e.id] AS entities, rows
