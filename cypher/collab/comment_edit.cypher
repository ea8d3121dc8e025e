// Replace the text of a comment that is not deleted, and its mentions. Returns nothing when
// the comment is gone or deleted.
MATCH (c:Comment {id: $id})
WHERE c.deleted_at IS NULL
SET c.text = $text, c.edited_at = $at
WITH c
CALL (c) {
  OPTIONAL MATCH (c)-[old:MENTIONS]->(:User)
  DELETE old
}
CALL (c) {
  UNWIND $mentions AS name
  MATCH (m:User {id: name})
  MERGE (c)-[:MENTIONS]->(m)
  RETURN collect(m.id) AS mentioned
}
RETURN c.id AS id, mentioned
