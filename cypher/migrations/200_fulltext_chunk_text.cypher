// Full-text search over text chunks (keyword questions, co-pilot grounding).
CREATE FULLTEXT INDEX chunk_text IF NOT EXISTS
FOR (c:Chunk) ON EACH [c.text]
