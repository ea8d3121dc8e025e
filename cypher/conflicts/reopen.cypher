// Undo a decision: a resolved or dismissed conflict is open again and its rows regain the
// attribute a reconciliation rejected.
MATCH (k:Conflict {id: $id})
WHERE k.status IN ['resolved', 'dismissed']
WITH k, k.status AS previous, k.resolution AS resolution
SET k.status = 'open', k.reopened_at = datetime(), k.reopened_by = $actor,
    k.resolution = null, k.resolved_by = null, k.resolved_at = null
WITH k, previous, resolution
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(r:Row)
  WHERE k.attribute IN coalesce(r.rejected_attributes, [])
  SET r.rejected_attributes = [a IN r.rejected_attributes WHERE a <> k.attribute]
  RETURN collect(r.id) AS restored
}
RETURN k.id AS id, k.table AS table, k.entity AS entity, previous, resolution, restored
