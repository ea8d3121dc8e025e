// One table's trust now with what explains it (the mean of its active rows' trust), as
// `api/trust_documents` gives a document's (and reads their features as it does): over the
// scored rows, the sums of the features of rows scored by the combined score and the summed
// trust of rows scored by a learned model (its least trusted rows are read apart, from the
// list the passes keep). Reads every active row of the table (on request only: the dashboard
// reads the stored aggregate).
OPTIONAL MATCH (c:TrustClock {id: 'full'})
WITH c.at AS clock
CALL (clock) {
  MATCH (r:Row {table: $table, status: 'active'})
  WHERE r.trust IS NOT NULL
  WITH r, r.trust_mode = 'learned' AS learned, r.trust_features AS f,
       CASE r.trust_features[8] WHEN 0 THEN clock ELSE r.trust_features[8] END AS now
  // the features in `Signal` order, then the propagated score: freshness read from the
  // stored list as trust.features.read_features reads it (a list of 7 holds them already)
  WITH r, learned, CASE WHEN size(f) = 9 THEN [CASE WHEN f[7] > 0
         THEN 0.5 ^ (CASE WHEN now > f[6] THEN (now - f[6]) / 86400.0 ELSE 0.0 END / f[7])
         ELSE 1.0 END] + f[0..6] ELSE f END AS x
  RETURN count(r) AS rows, sum(r.trust) AS total,
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
RETURN $table AS id, CASE WHEN rows > 0 THEN total / rows END AS trust, rows, [$table] AS tables,
       learned_sum, learned_rows, propagated_sum, signal_sums
