// A page of the facts of one table in id order, resumed after $after (keyset, never SKIP);
// key, attribute and status filters are optional.
MATCH (f:Fact {table: $table})
WHERE ($key IS NULL OR f.key = $key)
  AND ($attribute IS NULL OR f.attribute = $attribute)
  AND ($status IS NULL OR f.status = $status)
  AND ($after IS NULL OR f.id > $after)
RETURN f.id AS id
ORDER BY id
LIMIT $limit
