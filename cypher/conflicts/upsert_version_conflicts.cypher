// Version conflicts: one Conflict per file or table with several active versions, involving
// each of them. A dismissed one stays dismissed while the same versions are involved.
UNWIND $conflicts AS c
MERGE (k:Conflict {id: c.id})
  ON CREATE SET k.created_at = datetime(), k.status = 'open', k.kind = 'version', k.fresh = true
WITH k, c, coalesce(k.fresh, false) AS created, k.status AS previous,
     k.status <> 'open' AND k.fingerprint <> c.fingerprint AS reopened
REMOVE k.fresh
SET k.attribute = c.subject, k.entity = c.name, k.table = c.table, k.score = 1.0,
    k.fingerprint = c.fingerprint, k.claims = c.claims, k.seen_at = $seen_at,
    k.suggestion = c.suggestion, k.updated_at = datetime(),
    k.status = CASE WHEN reopened THEN 'open' ELSE previous END
WITH k, c, created, reopened, previous
CALL (k) {
  OPTIONAL MATCH (k)-[old:INVOLVES]->()
  DELETE old
}
CALL (k, c) {
  UNWIND c.members AS member_id
  OPTIONAL MATCH (d:Document {id: member_id})
  OPTIONAL MATCH (v:SchemaVersion {id: member_id})
  WITH k, coalesce(d, v) AS member
  WHERE member IS NOT NULL
  CREATE (k)-[:INVOLVES]->(member)
}
RETURN k.id AS id, k.table AS table, k.entity AS entity, k.attribute AS attribute, k.score AS score,
       created, reopened, previous
