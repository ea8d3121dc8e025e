// One comment with its author, the node it is on and the comment it replies to.
MATCH (c:Comment {id: $id})-[:ON]->(target)
OPTIONAL MATCH (author:User)-[:WROTE]->(c)
OPTIONAL MATCH (c)-[:REPLY_TO]->(parent:Comment)
RETURN c.id AS id, author.id AS author, target.id AS target, parent.id AS parent,
       c.text AS text, c.created_at AS created_at, c.edited_at AS edited_at,
       c.deleted_at AS deleted_at,
       COLLECT { MATCH (c)-[:MENTIONS]->(m:User) RETURN m.id ORDER BY m.id } AS mentions,
       COUNT { (c)<-[:REPLY_TO]-(:Comment) } AS replies
