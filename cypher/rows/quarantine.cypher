// Quarantine active rows: hidden from normal queries, counted for nothing in resolution,
// still visible to reviewers. Returns the rows that changed (their table and trust move
// the stored trust aggregates, `trust/shift_table_trust`). Setting the status to itself
// takes the row's write lock before the status is read, so of two concurrent quarantines
// of a row only one changes it.
// A row whose freshness followed the last full pass's time keeps that time: full passes no
// longer score it (trust/features.py).
OPTIONAL MATCH (clock:TrustClock {id: 'full'})
UNWIND $rows AS row
MATCH (r:Row {id: row.id})
SET r.status = r.status
WITH r, row, clock
WHERE r.status = 'active'
SET r.status = 'quarantined', r.quarantined_at = datetime(), r.quarantined_by = $actor,
    r.quarantine_reason = row.reason, r.quarantine_exempt = false,
    r.trust_features = CASE WHEN r.trust_features[8] = 0
                         THEN r.trust_features[0..8] + [coalesce(clock.at, 0.0)]
                         ELSE r.trust_features END
WITH r
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
RETURN r.id AS id, r.table AS table, r.trust AS trust, r.quarantine_reason AS reason,
       e.id AS entity
