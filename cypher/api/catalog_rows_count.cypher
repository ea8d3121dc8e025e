// How many rows of a table pass the filters of `catalog_rows` ($scored: only the rows a trust
// pass scored, as `catalog_rows_by_trust` lists them).
MATCH (r:Row {table: $table})
WHERE r.status <> 'pending'
  AND ($status IS NULL OR r.status = $status)
  AND ($key IS NULL OR r.key = $key)
  AND ($quarantined IS NULL OR (r.status = 'quarantined') = $quarantined)
  AND ($min_trust IS NULL OR r.trust >= $min_trust)
  AND ($max_trust IS NULL OR r.trust <= $max_trust)
  AND (NOT $scored OR r.trust_mode IS NOT NULL)
RETURN count(r) AS total
