// Trust of the rows of one source, by entity key, with what explains it.
OPTIONAL MATCH (c:TrustClock {id: 'full'})
WITH c.at AS clock
MATCH (r:Row {status: 'active'})-[:EXTRACTED_FROM]->(:Document {source: $source})
WITH r, r.trust_features AS f,
     CASE r.trust_features[8] WHEN 0 THEN clock ELSE r.trust_features[8] END AS now
// freshness read from the stored list as trust.features.read_features reads it
WITH r, CASE WHEN size(f) = 9 THEN [CASE WHEN f[7] > 0
       THEN 0.5 ^ (CASE WHEN now > f[6] THEN (now - f[6]) / 86400.0 ELSE 0.0 END / f[7])
       ELSE 1.0 END] + f[0..6] ELSE f END AS x
RETURN r.id AS id, r.key AS key, r.trust AS trust, x[6] AS propagated, x[0..6] AS signals
ORDER BY key
