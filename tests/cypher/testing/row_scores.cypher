// How some rows are scored now: trust, mode, model, signals, propagated score.
UNWIND $ids AS row_id
MATCH (r:Row {id: row_id})
RETURN r.id AS id, r.status AS status, r.trust AS trust, r.trust_mode AS mode,
       r.trust_model AS model, r.trust_features[0..6] AS signals, r.trust_features[6] AS propagated
ORDER BY id
