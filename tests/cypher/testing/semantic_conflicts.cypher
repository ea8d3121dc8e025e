// The semantic conflicts that involve a chunk of one document, with both chunks.
MATCH (:Document {id: $document_id})-[:HAS_CHUNK]->(:Chunk)<-[:INVOLVES]-(k:Conflict {kind: 'semantic'})
MATCH (k)-[:INVOLVES]->(c:Chunk)
RETURN k.id AS id, k.status AS status, k.claims AS claims, collect(c.id) AS chunks
