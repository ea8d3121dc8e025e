// Release quarantined rows: active again, and exempt from automatic quarantine (a person
// vouched for them). Returns the rows that changed (their table and trust move the stored
// trust aggregates, `trust/shift_table_trust`); the status is locked before it is read, as
// in `rows/quarantine`.
UNWIND $rows AS row_id
MATCH (r:Row {id: row_id})
SET r.status = r.status
WITH r
WHERE r.status = 'quarantined'
SET r.status = 'active', r.released_at = datetime(), r.released_by = $actor,
    r.quarantine_exempt = true
WITH r
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
RETURN r.id AS id, r.table AS table, r.trust AS trust, e.id AS entity
