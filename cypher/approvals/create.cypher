// Open a change request in its workspace, linked to its requester (when a User) and to the
// node it targets (by element id, when any). Returns nothing when the workspace does not exist.
MATCH (w:Workspace {id: $request.workspace})
CREATE (cr:ChangeRequest)
SET cr = $request
CREATE (cr)-[:IN_WORKSPACE]->(w)
WITH cr
CALL (cr) {
  MATCH (t) WHERE elementId(t) = $target
  CREATE (cr)-[:TARGETS]->(t)
}
CALL (cr) {
  OPTIONAL MATCH (u:User {id: $request.requested_by})
  FOREACH (requester IN CASE WHEN u IS NULL THEN [] ELSE [u] END |
    CREATE (requester)-[:REQUESTED {at: cr.created_at}]->(cr)
  )
  RETURN u IS NOT NULL AS requester_found
}
RETURN cr.id AS id, requester_found
