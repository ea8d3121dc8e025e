// How some rows are scored now: trust, mode, model, signals, propagated score (read in Cypher),
// and what they are read from (the stored list and the time of the last full pass).
OPTIONAL MATCH (c:TrustClock {id: 'full'})
WITH c.at AS clock
UNWIND $ids AS row_id
MATCH (r:Row {id: row_id})
WITH r, clock, r.trust_features AS f,
     CASE r.trust_features[8] WHEN 0 THEN clock ELSE r.trust_features[8] END AS now
// freshness read from the stored list as trust.features.read_features reads it
WITH r, clock, CASE WHEN size(f) = 9 THEN [CASE WHEN f[7] > 0
       THEN 0.5 ^ (CASE WHEN now > f[6] THEN (now - f[6]) / 86400.0 ELSE 0.0 END / f[7])
       ELSE 1.0 END] + f[0..6] ELSE f END AS x
RETURN r.id AS id, r.status AS status, r.trust AS trust, r.trust_mode AS mode,
       r.trust_model AS model, x[0..6] AS signals, x[6] AS propagated,
       r.trust_features AS features, clock
ORDER BY id
