// The chunks of one document (ids only).
MATCH (:Document {id: $document_id})-[:HAS_CHUNK]->(c:Chunk)
RETURN c.id AS id
