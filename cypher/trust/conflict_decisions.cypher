// Conflicts a person resolved, for the trust model to learn from: the resolution (JSON with
// the chosen `rows` and the `rejected_rows`), the features kept when the person decided
// (`freeze_decisions`: the stored list of each row of `decision_rows`, one after the other,
// with the time of the full pass then, `kept_clock`) and, for rows without them, the features
// stored on the rows now ([id, features]) with the time of the last full pass (`clock`; both
// read as in trust/features.py).
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
MATCH (k:Conflict {status: 'resolved'})
WHERE k.resolved_by STARTS WITH 'user:'
OPTIONAL MATCH (k)-[:INVOLVES]->(r:Row)
WITH k, clock, collect([r.id, r.trust_features]) AS rows
RETURN k.id AS id, k.resolution AS resolution, coalesce(k.decision_rows, []) AS kept_rows,
       coalesce(k.decision_features, []) AS kept_features, k.decision_clock AS kept_clock, rows,
       clock.at AS clock
ORDER BY id
