// The comments on one change request, oldest first, with their authors and mentions.
MATCH (u:User)-[:WROTE]->(c:Comment)-[:ON]->(:ChangeRequest {id: $id})
RETURN c.id AS id, u.id AS user, c.text AS text, c.created_at AS at,
       COLLECT { MATCH (c)-[:MENTIONS]->(m:User) RETURN m.id ORDER BY m.id } AS mentions
ORDER BY c.created_at, c.id
