// Test clean-up: everything one source brought in (documents, rows, chunks, runs, requests).
CALL () {
  MATCH (k:Conflict)-[:INVOLVES]->(:Row)-[:EXTRACTED_FROM]->(:Document {source: $source})
  DETACH DELETE k
}
CALL () {
  MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {source: $source})
  DETACH DELETE r
}
CALL () {
  MATCH (d:Document {source: $source})
  OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
  OPTIONAL MATCH (cr:ChangeRequest)-[:TARGETS]->(d)
  DETACH DELETE c, cr, d
}
CALL () {
  MATCH (run:IngestionRun {source: $source})
  DETACH DELETE run
}
OPTIONAL MATCH (s:Source {id: $source})
DETACH DELETE s
WITH count(*) AS done
MATCH (e:Entity) WHERE NOT (e)<-[:DESCRIBES]-()
DETACH DELETE e
