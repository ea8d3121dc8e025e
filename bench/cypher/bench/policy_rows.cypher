// Benchmark set-up: active rows of one table, with their values and ingestion time.
UNWIND $rows AS row
CREATE (:Row {id: row.id, table: $table, key: row.key, values: row.values, sha256: row.id,
              trust: 0.5, status: 'active', created_at: row.created_at})
