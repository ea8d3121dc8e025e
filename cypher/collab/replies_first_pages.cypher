// The first page of replies ($limit of them, oldest first) of each comment of $parents, in
// one read for a whole page of threads.
UNWIND $parents AS parent_id
MATCH (p:Comment {id: parent_id})
CALL (p) {
  MATCH (c:Comment)-[:REPLY_TO]->(p)
  RETURN c ORDER BY c.created_at, c.id LIMIT $limit
}
MATCH (c)-[:ON]->(target)
OPTIONAL MATCH (author:User)-[:WROTE]->(c)
RETURN c.id AS id, author.id AS author, target.id AS target, p.id AS parent,
       c.text AS text, c.created_at AS created_at, c.edited_at AS edited_at,
       c.deleted_at AS deleted_at,
       COLLECT { MATCH (c)-[:MENTIONS]->(m:User) RETURN m.id ORDER BY m.id } AS mentions,
       0 AS replies
ORDER BY parent, c.created_at, c.id
