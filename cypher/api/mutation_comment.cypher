// A user's comment on a conflict or a row, with a MENTIONS edge to each mentioned user that
// exists. Returns nothing when the target or the user does not exist.
OPTIONAL MATCH (k:Conflict {id: $target})
OPTIONAL MATCH (r:Row {id: $target})
WITH coalesce(k, r) AS target
WHERE target IS NOT NULL
MATCH (u:User {id: $user})
CREATE (u)-[:WROTE]->(c:Comment {id: $comment.id, text: $comment.text, created_at: $comment.at})
CREATE (c)-[:ON]->(target)
WITH c
CALL (c) {
  UNWIND $mentions AS name
  MATCH (m:User {id: name})
  MERGE (c)-[:MENTIONS]->(m)
  RETURN collect(m.id) AS mentioned
}
RETURN c.id AS id, mentioned
