// Field encryption: how many rows hold a token of one of the KEK versions in $prefixes.
// $tables: only rows of these tables; null for every row.
MATCH (r:Row)
WHERE ($tables IS NULL OR r.table IN $tables)
  AND any(prefix IN $prefixes WHERE r.values CONTAINS prefix)
RETURN count(r) AS rows
