// Test read: the conflicts with these ids that exist, with their status.
UNWIND $ids AS conflict_id
MATCH (k:Conflict {id: conflict_id})
RETURN k.id AS id, k.status AS status
