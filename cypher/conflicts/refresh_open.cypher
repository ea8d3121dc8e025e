// The open value conflicts a trust pass resolved again with the trust it wrote: their score,
// claims and suggestion, and their CONTRADICTS edges (the winner may have changed), follow
// the pass, so a conflict's confidence is its fact's. Only a conflict whose rows and values
// are those the detector stored (same fingerprint) and that moved is rewritten: finding,
// reopening and closing conflicts stays the detector's.
UNWIND $conflicts AS c
MATCH (k:Conflict {id: c.id})
WHERE k.status = 'open' AND k.fingerprint = c.fingerprint AND k.suggestion <> c.suggestion
SET k.score = c.confidence, k.claims = c.claims, k.suggestion = c.suggestion,
    k.updated_at = datetime()
WITH k, c
CALL (k) {
  OPTIONAL MATCH ()-[edge:CONTRADICTS {conflict: k.id}]->()
  DELETE edge
}
CALL (k, c) {
  UNWIND c.edges AS edge
  MATCH (loser:Row {id: edge.loser}), (winner:Row {id: edge.winner})
  CREATE (loser)-[:CONTRADICTS {conflict: k.id, attribute: c.attribute, kind: 'value',
                                score: c.confidence, evidence: edge.evidence}]->(winner)
}
RETURN count(k) AS refreshed
