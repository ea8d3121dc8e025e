// A table's least trusted active rows as the trust passes keep them (`trust.lowest_rows`):
// whether it has a list (`listed`), whether the list holds every active scored row (`whole`),
// and its rows as `catalog_rows_by_trust` returns them, each read now (a row that left the
// active set as this read is left out).
OPTIONAL MATCH (a:TrustAggregate {table: $table})
CALL (a) {
  UNWIND coalesce(a.lowest, []) AS id
  MATCH (r:Row {id: id})
  WHERE r.table = $table AND r.status = 'active' AND r.trust_mode IS NOT NULL
  RETURN collect(r {.id, .table, .key, .values, .sha256, .trust, .status}) AS rows
}
RETURN a.lowest IS NOT NULL AS listed, coalesce(a.lowest_all, false) AS whole, rows
