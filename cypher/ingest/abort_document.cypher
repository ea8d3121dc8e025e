// Undo a loading version that failed: its new rows, edges and the version itself go; rows it
// shares with earlier versions stay, with the locator of the newest of those versions back.
// Entities left without rows are removed.
MATCH (d:Document {id: $document_id, status: 'loading'})
CALL (d) {
  MATCH (r:Row)-[:EXTRACTED_FROM]->(d)
  CALL (r, d) {
    MATCH (r)-[e:EXTRACTED_FROM]->(other:Document)
    WHERE other <> d
    RETURN e.locator AS locator
    ORDER BY other.version DESC
    LIMIT 1
  }
  SET r.locator = locator
}
CALL (d) {
  OPTIONAL MATCH (r:Row {status: 'pending'})-[:EXTRACTED_FROM]->(d)
  WHERE NOT EXISTS { (r)-[:EXTRACTED_FROM]->(other:Document) WHERE other <> d }
  OPTIONAL MATCH (r)-[:DESCRIBES]->(entity:Entity)
  DETACH DELETE r
  WITH DISTINCT entity
  WHERE entity IS NOT NULL AND NOT EXISTS { ()-[:DESCRIBES]->(entity) }
  DELETE entity
}
CALL (d) {
  OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
  WHERE NOT EXISTS { (c)<-[:HAS_CHUNK]-(other:Document) WHERE other <> d }
  DETACH DELETE c
}
DETACH DELETE d
