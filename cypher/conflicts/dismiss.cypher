// A reviewer says an open conflict is no contradiction worth acting on; nothing else changes.
MATCH (k:Conflict {id: $id})
WHERE k.status = 'open'
SET k.status = 'dismissed', k.resolution = $resolution, k.resolved_by = $actor,
    k.resolved_at = datetime()
RETURN k.id AS id, k.table AS table, k.entity AS entity
