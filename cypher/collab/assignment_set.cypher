// Assign an open conflict or change request to a person or to a role (one assignment per
// node: assigning again replaces it). Returns the assignment before and after; nothing when
// the node does not exist.
OPTIONAL MATCH (conflict:Conflict {id: $node})
OPTIONAL MATCH (request:ChangeRequest {id: $node})
WITH coalesce(conflict, request) AS node
WHERE node IS NOT NULL
MERGE (a:Assignment {id: $id})
WITH node, a, CASE WHEN a.assigned_at IS NULL THEN null ELSE {
  user: a.user, role: a.role, due_at: toString(a.due_at)
} END AS before
SET a.node = node.id, a.node_kind = $kind, a.table = $table, a.workspace = $workspace,
    a.user = $user, a.role = $role, a.assigned_by = $by, a.assigned_at = $at,
    a.due_at = $due_at, a.note = $note
MERGE (a)-[:OF]->(node)
WITH a, before
CALL (a) {
  OPTIONAL MATCH (a)-[old:TO]->(:User)
  DELETE old
}
CALL (a) {
  MATCH (u:User {id: $user})
  MERGE (a)-[:TO]->(u)
}
RETURN a.id AS id, before
