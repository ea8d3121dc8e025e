// Change requests about a row that people approved or rejected, for the trust model to learn
// from, with the features stored on the row.
MATCH (cr:ChangeRequest)-[:TARGETS]->(r:Row)
WHERE cr.status IN ['approved', 'applied', 'apply_failed', 'rejected']
RETURN cr.id AS id, cr.status AS status, r.id AS row, r.trust_features[0..6] AS signals,
       r.trust_features[6] AS propagated
ORDER BY id
