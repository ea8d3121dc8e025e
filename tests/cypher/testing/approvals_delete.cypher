// Test clean-up: a workspace's change requests with their comments, its users, itself.
CALL () {
  MATCH (cr:ChangeRequest)-[:IN_WORKSPACE]->(:Workspace {id: $workspace})
  OPTIONAL MATCH (c:Comment)-[:ON]->(cr)
  DETACH DELETE c, cr
}
CALL () {
  MATCH (u:User) WHERE u.id IN $users
  DETACH DELETE u
}
MATCH (w:Workspace {id: $workspace})
DETACH DELETE w
