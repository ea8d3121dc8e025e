// Rows by id with their trust, how it was computed and what explains it (its stored features
// and the time of the last full pass, read as in trust/features.py), and the evidence around
// each: the newest document it was extracted from and that document's source, the rows of its
// table it contradicts or is contradicted by, the facts resolved from it (through its entity:
// a fact lists its rows' ids) and the open conflicts that involve it. Unknown ids return nothing.
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
WITH clock.at AS clock
UNWIND $ids AS row_id
MATCH (r:Row {id: row_id})
CALL (r) {
  OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d:Document)
  OPTIONAL MATCH (d)-[:FROM_SOURCE]->(s:Source)
  WITH d, s ORDER BY d.version DESC
  LIMIT 1
  RETURN CASE WHEN d IS NULL THEN null ELSE
           {document: d.id, path: d.path, document_trust: d.trust, source: s.id,
            source_trust: s.trust} END AS origin
}
CALL (r) {
  OPTIONAL MATCH (r)-[c:CONTRADICTS]-(o:Row)
  WHERE o.table = r.table
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE
           {row: o.id, attribute: c.attribute, score: c.score,
            outgoing: startNode(c) = r} END) AS contradictions
}
CALL (r) {
  OPTIONAL MATCH (r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f:Fact)
  WHERE r.id IN f.rows
  RETURN collect(CASE WHEN f IS NULL THEN null ELSE
           {fact: f.id, attribute: f.attribute, value: f.value, confidence: f.confidence,
            status: f.status} END) AS facts
}
CALL (r) {
  OPTIONAL MATCH (k:Conflict {status: 'open'})-[:INVOLVES]->(r)
  RETURN collect(CASE WHEN k IS NULL THEN null ELSE
           {conflict: k.id, attribute: k.attribute, score: k.score} END) AS conflicts
}
RETURN r.id AS id, r.table AS table, r.trust AS trust, r.trust_mode AS mode,
       r.trust_model AS model, r.trust_features AS features, clock, origin, contradictions,
       facts, conflicts
