// Test check: the comments on one node, oldest first, with their writer and the users they mention.
MATCH (u:User)-[:WROTE]->(c:Comment)-[:ON]->(n {id: $target})
WHERE n:ChangeRequest OR n:Conflict OR n:Row
OPTIONAL MATCH (c)-[:MENTIONS]->(m:User)
WITH c, u, collect(m.id) AS mentions
ORDER BY c.created_at
RETURN c.id AS id, c.text AS text, u.id AS user, mentions
