// The comments on each of a batch of change requests, oldest first, with their authors
// and the users they mention.
UNWIND $ids AS request
MATCH (u:User)-[:WROTE]->(c:Comment)-[:ON]->(:ChangeRequest {id: request})
WITH request, c, u ORDER BY c.created_at, c.id
RETURN request,
       collect({
         id: c.id, user: u.id, text: c.text, at: c.created_at,
         mentions: COLLECT { MATCH (c)-[:MENTIONS]->(m:User) RETURN m.id ORDER BY m.id }
       }) AS comments
