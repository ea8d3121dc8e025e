// Benchmark set-up for the API benchmarks: $days daily points of a table's trust trend, the
// newest yesterday, as full trust passes write them (`trust/create_snapshot`).
UNWIND range(1, $days) AS day
CREATE (:TrustSnapshot {id: $table + '@bench-' + toString(day), table: $table,
                        at: datetime() - duration({days: day}), rows: $rows,
                        mean: 0.7 - day * 0.001, low: $rows / 20, high: $rows / 3,
                        histogram: [0, 0, 1, 2, 5, 10, 20, 30, 20, 12]})
