// The chunks of one document with their embeddings, in order, for embedding tests.
MATCH (:Document {id: $document_id})-[:HAS_CHUNK]->(c:Chunk)
RETURN c.id AS id, c.text AS text, c.embedding AS embedding, c.embedded_with AS model
ORDER BY c.ordinal
