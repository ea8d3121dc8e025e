// Open value conflicts that a scan no longer found (their rows agree now, or left): of the
// scanned entities, or of every entity when $entities is null. Their CONTRADICTS edges go.
MATCH (k:Conflict {status: 'open'})
WHERE k.kind = 'value' AND k.seen_at < $seen_at
  AND ($entities IS NULL OR k.entity IN $entities)
SET k.status = 'resolved', k.resolved_at = datetime(), k.resolved_by = 'system:detector',
    k.resolution = '{"reason": "the rows no longer disagree"}'
WITH k
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(:Row)-[edge:CONTRADICTS {conflict: k.id}]->()
  DELETE edge
}
RETURN k.id AS id, k.table AS table, k.entity AS entity, k.attribute AS attribute, k.score AS score
