// Semantic conflicts found by a scan: one Conflict per pair of chunks whose texts contradict,
// involving both, with a CONTRADICTS edge between them carrying the rule's evidence. A decided
// conflict reopens only when the contradicting sentences changed (its fingerprint).
UNWIND $conflicts AS c
MATCH (a:Chunk {id: c.chunk}), (b:Chunk {id: c.other})
MERGE (k:Conflict {id: c.id})
  ON CREATE SET k.created_at = datetime(), k.status = 'open', k.kind = 'semantic',
                k.attribute = 'text', k.fresh = true
WITH k, c, a, b, coalesce(k.fresh, false) AS created,
     k.status <> 'open' AND k.fingerprint <> c.fingerprint AS reopened
REMOVE k.fresh
SET k.score = c.score, k.fingerprint = c.fingerprint, k.claims = c.evidence,
    k.suggestion = c.suggestion, k.seen_at = $seen_at, k.updated_at = datetime(),
    k.status = CASE WHEN reopened THEN 'open' ELSE k.status END
MERGE (k)-[:INVOLVES]->(a)
MERGE (k)-[:INVOLVES]->(b)
MERGE (a)-[edge:CONTRADICTS {conflict: k.id}]->(b)
SET edge.attribute = 'text', edge.kind = 'semantic', edge.score = c.score,
    edge.evidence = c.evidence
RETURN k.id AS id, k.score AS score, c.reason AS reason, created, reopened
