// One page of the scored rows of a table, least trusted first (keyset on (trust, id): rows
// after $after_trust, $after_id), each filter optional. Rows no trust pass scored yet (their
// trust is the initial one ingestion set) are not listed.
MATCH (r:Row {table: $table})
WHERE r.trust_mode IS NOT NULL AND r.status <> 'pending'
  AND ($after_trust IS NULL OR r.trust > $after_trust
       OR (r.trust = $after_trust AND r.id > $after_id))
  AND ($status IS NULL OR r.status = $status)
  AND ($key IS NULL OR r.key = $key)
  AND ($quarantined IS NULL OR (r.status = 'quarantined') = $quarantined)
  AND ($min_trust IS NULL OR r.trust >= $min_trust)
  AND ($max_trust IS NULL OR r.trust <= $max_trust)
RETURN r {.id, .table, .key, .values, .sha256, .trust, .status} AS row
ORDER BY r.trust, r.id
LIMIT $limit
