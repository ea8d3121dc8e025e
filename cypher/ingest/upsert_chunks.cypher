// Phase 2: one batch of text chunks of a loading Document. Unchanged text keeps its chunk
// (and its embedding) across versions.
MATCH (d:Document {id: $document_id})
UNWIND $chunks AS chunk
MERGE (c:Chunk {id: chunk.id})
  ON CREATE SET c.text = chunk.text, c.ordinal = chunk.ordinal, c.locator = chunk.locator
MERGE (d)-[:HAS_CHUNK]->(c)
