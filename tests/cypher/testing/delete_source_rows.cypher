// Test clean-up of a large source: up to $limit of its rows (with their conflicts), so no one
// transaction outgrows Neo4j's transaction memory; run until it deletes nothing, then
// `testing/delete_source`.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {source: $source})
WITH r LIMIT $limit
OPTIONAL MATCH (k:Conflict)-[:INVOLVES]->(r)
DETACH DELETE k, r
RETURN count(DISTINCT r) AS deleted
