// Test data for /metrics: ingestion runs, active rows of one table and open conflicts, all
// tagged with $marker (removed by testing/ops_delete).
CALL () {
  UNWIND range(1, $runs) AS n
  CREATE (:IngestionRun {id: 'ops-run-' + $marker + '-' + n, status: $status, ops_marker: $marker})
}
CALL () {
  UNWIND range(0, size($trust) - 1) AS n
  CREATE (:Row {id: 'ops-row-' + $marker + '-' + n, table: $table, status: 'active',
                trust: $trust[n], ops_marker: $marker})
}
CALL () {
  UNWIND range(1, $conflicts) AS n
  CREATE (:Conflict {id: 'ops-conflict-' + $marker + '-' + n, kind: $kind, status: 'open',
                     ops_marker: $marker})
}
