// Test-only: per table of $tables, the ids and trust of its active rows a trust pass scored,
// least trusted first (ties by id): what the kept least trusted rows must be a prefix of.
UNWIND $tables AS name
CALL (name) {
  OPTIONAL MATCH (r:Row {table: name})
  WHERE r.status = 'active' AND r.trust_mode IS NOT NULL AND r.trust IS NOT NULL
  WITH r ORDER BY r.trust, r.id
  RETURN collect(r.id) AS ids
}
RETURN name AS table, ids
