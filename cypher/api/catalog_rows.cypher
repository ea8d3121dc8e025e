// One page of the rows of a table by id (keyset: ids after $after), each filter optional
// ($scored: only the rows a trust pass scored).
// Ordered by (table, id) so that the Row(table, id) index gives the order: no sort.
MATCH (r:Row {table: $table})
WHERE r.id > $after AND r.status <> 'pending'
  AND ($status IS NULL OR r.status = $status)
  AND ($key IS NULL OR r.key = $key)
  AND ($quarantined IS NULL OR (r.status = 'quarantined') = $quarantined)
  AND ($min_trust IS NULL OR r.trust >= $min_trust)
  AND ($max_trust IS NULL OR r.trust <= $max_trust)
  AND (NOT $scored OR r.trust_mode IS NOT NULL)
RETURN r {.id, .table, .key, .values, .sha256, .trust, .status} AS row
ORDER BY r.table, r.id
LIMIT $limit
