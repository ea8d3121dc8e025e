// One table's trust now with what explains it (the mean of its active rows' trust), as
// `api/trust_documents` gives a document's: over the scored rows, the sums of the features
// of rows scored by the combined score and the summed trust of rows scored by a learned model
// (its least trusted rows are read apart, from the list the passes keep). Reads every active
// row of the table (on request only: the dashboard reads the stored aggregate).
CALL () {
  MATCH (r:Row {table: $table, status: 'active'})
  WHERE r.trust IS NOT NULL
  WITH r, r.trust_mode = 'learned' AS learned
  RETURN count(r) AS rows, sum(r.trust) AS total,
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
RETURN $table AS id, CASE WHEN rows > 0 THEN total / rows END AS trust, rows, [$table] AS tables,
       learned_sum, learned_rows, propagated_sum, signal_sums
