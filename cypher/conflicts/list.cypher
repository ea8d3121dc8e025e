// Conflicts by status, kind and table (each filter optional), most confident first.
MATCH (k:Conflict)
WHERE ($status IS NULL OR k.status = $status)
  AND ($kind IS NULL OR k.kind = $kind)
  AND ($table IS NULL OR k.table = $table)
RETURN k.id AS id, k.kind AS kind, k.status AS status, k.table AS table, k.entity AS entity,
       k.attribute AS attribute, k.score AS score, k.suggestion AS suggestion
ORDER BY k.score DESC, k.id
LIMIT $limit
