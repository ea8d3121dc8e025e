// Release quarantined rows: active again, and exempt from automatic quarantine (a person
// vouched for them). Returns the rows that changed.
UNWIND $rows AS row_id
MATCH (r:Row {id: row_id})
WHERE r.status = 'quarantined'
SET r.status = 'active', r.released_at = datetime(), r.released_by = $actor,
    r.quarantine_exempt = true
WITH r
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
RETURN r.id AS id, r.table AS table, e.id AS entity
