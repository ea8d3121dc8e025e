// Embeddings of a batch of chunks, stored as the compact float32 vectors the index reads,
// with the model that made them. Rewriting the same vector is harmless, so retries are safe.
UNWIND $rows AS row
MATCH (c:Chunk {id: row.id})
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
SET c.embedded_with = $model
