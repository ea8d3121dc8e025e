// Benchmark: only `trust` set on a batch of rows ([id, trust] each), the floor under the
// trust engine's write of a row's scores.
UNWIND $rows AS row
MATCH (r:Row {id: row[0]})
SET r.trust = row[1]
