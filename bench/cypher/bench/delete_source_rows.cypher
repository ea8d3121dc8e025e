// Benchmark tear-down: up to $limit rows of one source per call, with the entities no other
// row describes and those entities' facts (`(:Fact)-[:ABOUT]->(:Entity)`); how many rows.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source {id: $source})
WITH DISTINCT r LIMIT $limit
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
WITH collect(DISTINCT r) AS rows, collect(DISTINCT e) AS entities
FOREACH (r IN rows | DETACH DELETE r)
WITH size(rows) AS deleted, entities
CALL (entities) {
  UNWIND entities AS e
  WITH e WHERE NOT (e)<-[:DESCRIBES]-()
  CALL (e) {
    MATCH (f:Fact)-[:ABOUT]->(e)
    DETACH DELETE f
  }
  DETACH DELETE e
}
RETURN deleted
