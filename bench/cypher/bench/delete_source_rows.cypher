// Benchmark tear-down: up to $limit rows (with their entities) of one source per call.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source {id: $source})
WITH DISTINCT r LIMIT $limit
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
DETACH DELETE r
WITH DISTINCT e WHERE e IS NOT NULL AND NOT (e)<-[:DESCRIBES]-()
DELETE e
RETURN count(*) AS deleted
