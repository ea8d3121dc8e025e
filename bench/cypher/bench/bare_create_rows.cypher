// Baseline for ingestion throughput: the same rows, bare, with no provenance or entities.
UNWIND $rows AS row
CREATE (:BenchBareRow {id: row.id, key: row.key, values: row.values})
