// A user's comment on a change request, with a MENTIONS edge to each mentioned user that
// exists. Returns nothing when the request or the user does not exist.
MATCH (cr:ChangeRequest {id: $id}), (u:User {id: $user})
CREATE (u)-[:WROTE]->(c:Comment {id: $comment.id, text: $comment.text, created_at: $comment.at})
CREATE (c)-[:ON]->(cr)
WITH c
CALL (c) {
  UNWIND $mentions AS name
  MATCH (m:User {id: name})
  MERGE (c)-[:MENTIONS]->(m)
  RETURN collect(m.id) AS mentioned
}
RETURN c.id AS id, mentioned
