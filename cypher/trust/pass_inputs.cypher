// Everything an incremental trust pass works on, in one round trip: of the entities the rows
// of some documents describe ($document_ids; [] for none) and of the entities named in
// $entities (ids; [] for none). The entities; the active rows that describe them, as
// `document_claims` returns them; the ids of those rows a person released (exempt from
// automatic quarantine); with $own, the documents' own rows as the policy check reads them
// ([table, id, key, values, created_ms, trust, violation keys], by row id); the stored trust of their
// sources ([id, trust, trust by attribute as JSON, calibration as JSON, evidence]) and the
// COPIES edges among them; the active or candidate facts of the entities ([id, digest, confidence]); the
// items of theirs with an open value conflict ([entity, attribute]); the version of the
// trust model in force (0: none); and the files ([source, path]) the documents are versions of.
// Rows and their documents are reached only by expanding from the entities and the documents,
// never by a label or an index of theirs: a plan made while the store held few rows would
// otherwise seek every active row once per entity (tests/integration/test_anchored_plans.py).
CALL () {
  UNWIND $document_ids AS id
  MATCH (doc:Document {id: id})
  RETURN collect(doc) AS docs
}
CALL (docs) {
  UNWIND docs AS doc
  MATCH (doc)<-[:EXTRACTED_FROM]-()-[:DESCRIBES]->(e)
  RETURN collect(DISTINCT e) AS touched
}
CALL () {
  UNWIND $entities AS id
  MATCH (e:Entity {id: id})
  RETURN collect(e) AS named
}
WITH docs, touched + [e IN named WHERE NOT e IN touched] AS entities
CALL (entities) {
  UNWIND entities AS e
  MATCH (e)<-[:DESCRIBES]-(r)-[:EXTRACTED_FROM]->(d)
  WHERE r.status = 'active'
  WITH d, collect(r) AS rows
  WHERE d.status = 'active'
  MATCH (d)-[:FROM_SOURCE]->(s:Source)
  WITH d.id AS document, s, d.ingested_at.epochMillis AS ingested, rows
  UNWIND rows AS r
  RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), document, s.id,
                  ingested, coalesce(r.rejected_attributes, []),
                  CASE WHEN r.trust_mode IS NULL THEN null ELSE r.trust END,
                  r.trust_mode = $mode AND coalesce(r.trust_model, 0) = $model
                  AND CASE WHEN $full THEN size(r.trust_features) = 9 AND r.trust_features[8] = 0
                           ELSE true END, r.value_hashes,
                  COUNT { (r)-[:VIOLATES]->() }, elementId(r),
                CASE WHEN $full THEN r.trust_features END]) AS rows,
         collect(CASE WHEN coalesce(r.quarantine_exempt, false) THEN r.id END) AS exempt,
         collect(DISTINCT [s.id, s.trust, s.trust_attributes, s.trust_calibration,
                           s.trust_evidence]) AS sources
}
CALL (docs) {
  UNWIND docs AS doc
  MATCH (doc)<-[:EXTRACTED_FROM]-(r)
  WHERE $own AND r.status = 'active'
  WITH DISTINCT r ORDER BY r.id
  RETURN collect([r.table, r.id, r.key, r.values, r.created_at.epochMillis, r.trust,
                  [(r)-[e:VIOLATES]->(p:Policy) | p.id + '|' + e.rule]]) AS own
}
CALL (entities) {
  UNWIND entities AS e
  MATCH (f:Fact {entity: e.id})
  WHERE f.status IN ['active', 'candidate']
  RETURN collect([f.id, f.digest, f.confidence]) AS facts
}
CALL (entities) {
  UNWIND entities AS e
  MATCH (k:Conflict {entity: e.id})
  WHERE k.status = 'open' AND k.kind = 'value'
  RETURN collect([k.entity, k.attribute]) AS disputed
}
CALL (sources) {
  WITH [s IN sources | s[0]] AS ids
  OPTIONAL MATCH (copier:Source)-[edge:COPIES]->(original:Source)
  WHERE copier.id IN ids AND original.id IN ids
  RETURN collect(CASE WHEN edge IS NULL THEN null
                 ELSE {original: original.id, copier: copier.id, probability: edge.probability,
                       shared_true: edge.shared_true, shared_false: edge.shared_false} END)
         AS copying
}
CALL () {
  OPTIONAL MATCH (m:TrustModel)
  WHERE m.in_force
  RETURN coalesce(max(m.version), 0) AS model
}
RETURN [e IN entities | e.id] AS entities, rows, exempt, sources, copying, own, facts, disputed,
       model, [doc IN docs WHERE doc.path IS NOT NULL | [doc.source, doc.path]] AS files
