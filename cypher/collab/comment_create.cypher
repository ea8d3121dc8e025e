// A user's comment on a reviewable node (a row, conflict, change request, fact, document or
// schema version), a reply when $parent is given (to the thread's first comment: threads are
// one level deep), with a MENTIONS edge to each mentioned user that exists. Returns nothing
// when the node, the user or the parent comment (on the same node) does not exist.
OPTIONAL MATCH (row:Row {id: $target})
OPTIONAL MATCH (conflict:Conflict {id: $target})
OPTIONAL MATCH (request:ChangeRequest {id: $target})
OPTIONAL MATCH (fact:Fact {id: $target})
OPTIONAL MATCH (document:Document {id: $target})
OPTIONAL MATCH (version:SchemaVersion {id: $target})
WITH coalesce(row, conflict, request, fact, document, version) AS target
WHERE target IS NOT NULL
MATCH (u:User {id: $user})
OPTIONAL MATCH (parent:Comment {id: $parent})-[:ON]->(target)
OPTIONAL MATCH (parent)-[:REPLY_TO]->(root:Comment)
WITH target, u, coalesce(root, parent) AS thread
WHERE $parent IS NULL OR thread IS NOT NULL
CREATE (u)-[:WROTE]->(c:Comment {
  id: $comment.id, text: $comment.text, created_at: $comment.at
})
CREATE (c)-[:ON]->(target)
FOREACH (t IN CASE WHEN thread IS NULL THEN [] ELSE [thread] END | CREATE (c)-[:REPLY_TO]->(t))
WITH c, thread
CALL (c) {
  UNWIND $mentions AS name
  MATCH (m:User {id: name})
  MERGE (c)-[:MENTIONS]->(m)
  RETURN collect(m.id) AS mentioned
}
RETURN c.id AS id, thread.id AS parent, mentioned
