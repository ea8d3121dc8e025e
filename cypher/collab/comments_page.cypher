// One page of a thread, oldest first: the first comments on a node ($parent null) or the
// replies to one comment, after the (created_at, id) of $after_at/$after_id, $limit of them.
OPTIONAL MATCH (row:Row {id: $target})
OPTIONAL MATCH (conflict:Conflict {id: $target})
OPTIONAL MATCH (request:ChangeRequest {id: $target})
OPTIONAL MATCH (fact:Fact {id: $target})
OPTIONAL MATCH (document:Document {id: $target})
OPTIONAL MATCH (version:SchemaVersion {id: $target})
WITH coalesce(row, conflict, request, fact, document, version) AS target
MATCH (c:Comment)-[:ON]->(target)
WHERE ($parent IS NULL AND NOT (c)-[:REPLY_TO]->(:Comment))
   OR ($parent IS NOT NULL AND (c)-[:REPLY_TO]->(:Comment {id: $parent}))
WITH c, target
WHERE $after_at IS NULL OR c.created_at > $after_at
   OR (c.created_at = $after_at AND c.id > $after_id)
OPTIONAL MATCH (author:User)-[:WROTE]->(c)
OPTIONAL MATCH (c)-[:REPLY_TO]->(parent:Comment)
RETURN c.id AS id, author.id AS author, target.id AS target, parent.id AS parent,
       c.text AS text, c.created_at AS created_at, c.edited_at AS edited_at,
       c.deleted_at AS deleted_at,
       COLLECT { MATCH (c)-[:MENTIONS]->(m:User) RETURN m.id ORDER BY m.id } AS mentions,
       COUNT { (c)<-[:REPLY_TO]-(:Comment) } AS replies
ORDER BY c.created_at, c.id
LIMIT $limit
