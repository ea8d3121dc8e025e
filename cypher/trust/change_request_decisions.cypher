// Change requests about a row that people approved or rejected, for the trust model to learn
// from, with the features stored on the row and the time of the last full pass they are read
// at (trust/features.py).
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
MATCH (cr:ChangeRequest)-[:TARGETS]->(r:Row)
WHERE cr.status IN ['approved', 'applied', 'apply_failed', 'rejected']
RETURN cr.id AS id, cr.status AS status, r.id AS row, r.trust_features AS features,
       clock.at AS clock
ORDER BY id
