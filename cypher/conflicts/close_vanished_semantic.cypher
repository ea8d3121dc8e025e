// Open semantic conflicts of the scanned chunks that the scan no longer found.
UNWIND $chunk_ids AS chunk_id
MATCH (:Chunk {id: chunk_id})<-[:INVOLVES]-(k:Conflict {status: 'open'})
WHERE k.kind = 'semantic' AND k.seen_at < $seen_at
WITH DISTINCT k
SET k.status = 'resolved', k.resolved_at = datetime(), k.resolved_by = 'system:detector',
    k.resolution = '{"reason": "the texts no longer contradict"}'
WITH k
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(:Chunk)-[edge:CONTRADICTS {conflict: k.id}]->()
  DELETE edge
}
RETURN DISTINCT k.id AS id
