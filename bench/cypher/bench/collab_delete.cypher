// Bench clean-up: the notifications, users (with their keys), workspaces and table stand-ins
// whose ids contain $marker, and the change requests whose titles do (with their comments).
CALL () {
  MATCH (n:Notification) WHERE n.user CONTAINS $marker
  DETACH DELETE n
}
CALL () {
  MATCH (u:User)-[:OWNS]->(k:ApiKey) WHERE u.id CONTAINS $marker
  DETACH DELETE k
}
CALL () {
  MATCH (n:User|Workspace) WHERE n.id CONTAINS $marker
  DETACH DELETE n
}
CALL () {
  MATCH (s:Schema) WHERE s.name CONTAINS $marker
  DETACH DELETE s
}
CALL () {
  MATCH (cr:ChangeRequest) WHERE cr.title CONTAINS $marker
  OPTIONAL MATCH (c:Comment)-[:ON]->(cr)
  DETACH DELETE c, cr
}
