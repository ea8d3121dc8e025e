// Before the rows of some entities are rescored: for each conflict a person resolved since
// its features were last kept, keep the features its rows had when the person decided (their
// last scoring), for the trust model to learn from (trust/decisions.py). `decision_features`
// is flat: the stored list of each row of `decision_rows` (trust/features.py), read with
// `decision_clock`, the time of the full pass then. A rescoring after the decision would show
// the decision's own effect instead.
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
UNWIND $entities AS entity_id
MATCH (k:Conflict {entity: entity_id})
WHERE k.status = 'resolved' AND k.resolved_by STARTS WITH 'user:'
  AND (k.decision_features_at IS NULL OR k.decision_features_at < k.resolved_at)
CALL (k) {
  MATCH (k)-[:INVOLVES]->(r:Row)
  WHERE r.trust_features IS NOT NULL
  WITH r ORDER BY r.id
  RETURN collect(r.id) AS rows, collect(r.trust_features) AS features
}
SET k.decision_rows = rows, k.decision_features = reduce(flat = [], f IN features | flat + f),
    k.decision_clock = clock.at, k.decision_features_at = datetime()
