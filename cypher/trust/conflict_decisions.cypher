// Conflicts a person resolved, for the trust model to learn from: the resolution (JSON with
// the chosen `rows` and the `rejected_rows`), the features kept when the person decided
// (`freeze_decisions`: seven numbers per row of `decision_rows`) and, for rows without
// them, the features stored on the rows now ([id, signals, propagated]).
MATCH (k:Conflict {status: 'resolved'})
WHERE k.resolved_by STARTS WITH 'user:'
OPTIONAL MATCH (k)-[:INVOLVES]->(r:Row)
WITH k, collect([r.id, r.trust_features[0..6], r.trust_features[6]]) AS rows
RETURN k.id AS id, k.resolution AS resolution, coalesce(k.decision_rows, []) AS kept_rows,
       coalesce(k.decision_features, []) AS kept_features, rows
ORDER BY id
