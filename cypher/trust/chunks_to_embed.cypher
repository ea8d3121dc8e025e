// The chunks of one document version and which of them still need an embedding: none yet,
// or one from another model. Always one record (total 0 for an unknown document).
MATCH (:Document {id: $document_id})-[:HAS_CHUNK]->(c:Chunk)
RETURN count(c) AS total,
       collect(
         CASE
           WHEN c.embedding IS NULL OR coalesce(c.embedded_with, '') <> $model
           THEN {id: c.id, text: c.text}
         END
       ) AS pending
