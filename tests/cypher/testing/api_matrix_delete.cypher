// Test clean-up: the authorization matrix's change requests with their comments, and the
// facts resolved about its entities.
CALL () {
  MATCH (cr:ChangeRequest) WHERE cr.id IN $requests
  OPTIONAL MATCH (c:Comment)-[:ON]->(cr)
  DETACH DELETE c, cr
}
MATCH (f:Fact) WHERE f.entity IN $entities
DETACH DELETE f
