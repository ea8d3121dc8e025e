// Documents by id with what explains their trust (the mean of their active rows' trust):
// over the scored rows, the sums of their features (`trust_features`: the six signals in
// `trust.signals.Signal` order, then the propagated score) of rows scored by the combined score, the summed trust of rows
// scored by a learned model, the tables, the source, and the $top least trusted rows.
// Unknown ids return nothing. Expands from the document (only rows carry EXTRACTED_FROM).
UNWIND $ids AS document_id
MATCH (d:Document {id: document_id})
OPTIONAL MATCH (d)-[:FROM_SOURCE]->(s:Source)
CALL (d) {
  OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d)
  WHERE r.status = 'active' AND r.trust IS NOT NULL
  WITH r, r.trust_mode = 'learned' AS learned
  RETURN count(r) AS rows, collect(DISTINCT r.table) AS tables,
         sum(CASE WHEN learned THEN r.trust ELSE 0.0 END) AS learned_sum,
         sum(CASE WHEN learned THEN 1 ELSE 0 END) AS learned_rows,
         sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[6] END) AS propagated_sum,
         [sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[0] END),
          sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[1] END),
          sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[2] END),
          sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[3] END),
          sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[4] END),
          sum(CASE WHEN learned THEN 0.0 ELSE r.trust_features[5] END)] AS signal_sums
}
CALL (d) {
  OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d)
  WHERE r.status = 'active' AND r.trust IS NOT NULL
  WITH r ORDER BY r.trust, r.id LIMIT $top
  RETURN collect({id: r.id, trust: r.trust}) AS weakest
}
RETURN d.id AS id, d.trust AS trust, d.path AS path, s.id AS source, s.trust AS source_trust,
       rows, tables, learned_sum, learned_rows, propagated_sum, signal_sums, weakest
