// `freeze_decisions` for every conflict a person resolved, before a full pass rescores rows.
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
MATCH (k:Conflict {status: 'resolved'})
WHERE k.resolved_by STARTS WITH 'user:'
  AND (k.decision_features_at IS NULL OR k.decision_features_at < k.resolved_at)
CALL (k) {
  MATCH (k)-[:INVOLVES]->(r:Row)
  WHERE r.trust_features IS NOT NULL
  WITH r ORDER BY r.id
  RETURN collect(r.id) AS rows, collect(r.trust_features) AS features
}
SET k.decision_rows = rows, k.decision_features = reduce(flat = [], f IN features | flat + f),
    k.decision_clock = clock.at, k.decision_features_at = datetime()
