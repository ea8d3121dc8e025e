// Approximate nearest neighbours over chunk embeddings (all-MiniLM-L6-v2: 384 dimensions).
CREATE VECTOR INDEX chunk_embedding IF NOT EXISTS
FOR (c:Chunk) ON c.embedding
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}
