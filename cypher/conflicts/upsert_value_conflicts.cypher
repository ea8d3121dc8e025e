// Value conflicts found by a scan: one Conflict per entity attribute, about its Entity,
// involving every row that takes part, with one CONTRADICTS edge per losing row (to a row of
// the winning value). A conflict already decided reopens only when the rows or values behind
// it changed (its fingerprint); otherwise its decision stands.
UNWIND $conflicts AS c
MERGE (k:Conflict {id: c.id})
  ON CREATE SET k.created_at = datetime(), k.status = 'open', k.kind = 'value', k.fresh = true
WITH k, c, coalesce(k.fresh, false) AS created, k.status AS previous,
     k.status <> 'open' AND k.fingerprint <> c.fingerprint AS reopened
REMOVE k.fresh
SET k.table = c.table, k.key = c.key, k.entity = c.entity, k.attribute = c.attribute,
    k.score = c.confidence, k.fingerprint = c.fingerprint, k.claims = c.claims,
    k.suggestion = c.suggestion, k.seen_at = $seen_at, k.updated_at = datetime(),
    k.status = CASE WHEN reopened THEN 'open' ELSE previous END,
    k.reopened_at = CASE WHEN reopened THEN datetime() ELSE k.reopened_at END
WITH k, c, created, reopened, previous
CALL (k) {
  OPTIONAL MATCH (k)-[old:INVOLVES]->(r:Row)
  OPTIONAL MATCH (r)-[edge:CONTRADICTS {conflict: k.id}]->()
  DELETE old, edge
}
CALL (k, c) {
  MATCH (e:Entity {id: c.entity})
  MERGE (k)-[:ABOUT]->(e)
}
CALL (k, c) {
  UNWIND c.rows AS row_id
  MATCH (r:Row {id: row_id})
  CREATE (k)-[:INVOLVES]->(r)
}
CALL (k, c) {
  UNWIND c.edges AS edge
  MATCH (loser:Row {id: edge.loser}), (winner:Row {id: edge.winner})
  CREATE (loser)-[:CONTRADICTS {conflict: k.id, attribute: c.attribute, kind: 'value',
                                score: c.confidence, evidence: edge.evidence}]->(winner)
}
RETURN k.id AS id, k.table AS table, k.entity AS entity, k.attribute AS attribute, k.score AS score,
       created, reopened, previous
