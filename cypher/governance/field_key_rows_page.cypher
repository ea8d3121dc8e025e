// Field encryption: one page of rows whose values hold a token of one of the KEK versions
// in $prefixes (each `"enc:v1:<version>:`), by id after $after, for rewrapping.
// $tables: only rows of these tables; null for every row.
MATCH (r:Row)
WHERE r.id > $after AND ($tables IS NULL OR r.table IN $tables)
  AND any(prefix IN $prefixes WHERE r.values CONTAINS prefix)
RETURN r.id AS id, r.values AS values
ORDER BY r.id
LIMIT $limit
