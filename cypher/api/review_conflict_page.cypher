// A page of the conflicts a caller may see, most confident first, resumed after the last one
// seen ($after_score, $after_id: keyset, never SKIP). A conflict's scope is its table, else
// the table of the file whose versions it is about, else none (text): visible are those
// scoped to the readable $tables and, when $documents, those without a scope. Filters are
// optional.
MATCH (k:Conflict)
WHERE ($status IS NULL OR k.status = $status)
  AND ($kind IS NULL OR k.kind = $kind)
  AND ($table IS NULL OR k.table = $table)
WITH k, CASE WHEN k.table IS NOT NULL THEN k.table ELSE head(COLLECT {
          MATCH (k)-[:INVOLVES]->(:Document)<-[:EXTRACTED_FROM]-(r:Row)
          RETURN r.table LIMIT 1
        }) END AS scope
WHERE scope IN $tables OR (scope IS NULL AND $documents)
WITH k, coalesce(k.score, 0.0) AS score
WHERE $after_id IS NULL
   OR score < $after_score
   OR (score = $after_score AND k.id > $after_id)
RETURN k.id AS id, score
ORDER BY score DESC, id
LIMIT $limit
