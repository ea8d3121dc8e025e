// Documents by id with what explains their trust (the mean of their active rows' trust):
// over the scored rows, the sums of their features (the six signals in `trust.signals.Signal`
// order, then the propagated score, read from `trust_features` with the time of the last full
// pass) of rows scored by the combined score, the summed trust of rows scored by a learned
// model, the tables, the source, and the $top least trusted rows.
// Unknown ids return nothing. Expands from the document (only rows carry EXTRACTED_FROM).
OPTIONAL MATCH (c:TrustClock {id: 'full'})
WITH c.at AS clock
UNWIND $ids AS document_id
MATCH (d:Document {id: document_id})
OPTIONAL MATCH (d)-[:FROM_SOURCE]->(s:Source)
CALL (d, clock) {
  OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d)
  WHERE r.status = 'active' AND r.trust IS NOT NULL
  WITH r, r.trust_mode = 'learned' AS learned, r.trust_features AS f,
       CASE r.trust_features[8] WHEN 0 THEN clock ELSE r.trust_features[8] END AS now
  // the features in `Signal` order, then the propagated score: freshness read from the
  // stored list as trust.features.read_features reads it (a list of 7 holds them already)
  WITH r, learned, CASE WHEN size(f) = 9 THEN [CASE WHEN f[7] > 0
         THEN 0.5 ^ (CASE WHEN now > f[6] THEN (now - f[6]) / 86400.0 ELSE 0.0 END / f[7])
         ELSE 1.0 END] + f[0..6] ELSE f END AS x
  RETURN count(r) AS rows, collect(DISTINCT r.table) AS tables,
         sum(CASE WHEN learned THEN r.trust ELSE 0.0 END) AS learned_sum,
         sum(CASE WHEN learned THEN 1 ELSE 0 END) AS learned_rows,
         sum(CASE WHEN learned THEN 0.0 ELSE x[6] END) AS propagated_sum,
         [sum(CASE WHEN learned THEN 0.0 ELSE x[0] END),
          sum(CASE WHEN learned THEN 0.0 ELSE x[1] END),
          sum(CASE WHEN learned THEN 0.0 ELSE x[2] END),
          sum(CASE WHEN learned THEN 0.0 ELSE x[3] END),
          sum(CASE WHEN learned THEN 0.0 ELSE x[4] END),
          sum(CASE WHEN learned THEN 0.0 ELSE x[5] END)] AS signal_sums
}
CALL (d) {
  OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d)
  WHERE r.status = 'active' AND r.trust IS NOT NULL
  WITH r ORDER BY r.trust, r.id LIMIT $top
  RETURN collect({id: r.id, trust: r.trust}) AS weakest
}
RETURN d.id AS id, d.trust AS trust, d.path AS path, s.id AS source, s.trust AS source_trust,
       rows, tables, learned_sum, learned_rows, propagated_sum, signal_sums, weakest
