// One page of the embedded chunks of active documents, in id order (keyset pagination).
MATCH (c:Chunk)
WHERE c.id > $after AND c.embedding IS NOT NULL
  AND EXISTS { (c)<-[:HAS_CHUNK]-(:Document {status: 'active'}) }
WITH c ORDER BY c.id LIMIT $limit
RETURN c.id AS id
