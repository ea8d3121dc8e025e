// Test clean-up: change requests by id, and the comments on them and on some other nodes.
CALL () {
  UNWIND $targets AS id
  MATCH (c:Comment)-[:ON]->(n {id: id})
  WHERE n:ChangeRequest OR n:Conflict OR n:Row
  DETACH DELETE c
}
UNWIND $requests AS id
MATCH (cr:ChangeRequest {id: id})
DETACH DELETE cr
