// Rows a person quarantined or released, for the trust model to learn from: who did the
// latest quarantine and release and when (epoch milliseconds), and the features stored on
// the row (a quarantined row is not rescored: it keeps those it had when quarantined), with
// the time of the last full pass they are read at (trust/features.py).
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
CALL () {
  MATCH (r:Row) WHERE r.released_by STARTS WITH 'user:' RETURN r
  UNION
  MATCH (r:Row) WHERE r.quarantined_by STARTS WITH 'user:' RETURN r
}
RETURN r.id AS id, r.quarantined_by AS quarantined_by,
       r.quarantined_at.epochMillis AS quarantined_at, r.released_by AS released_by,
       r.released_at.epochMillis AS released_at, r.trust_features AS features,
       clock.at AS clock
ORDER BY id
