// The shape of Grace's row upserts: UNWIND a batch, MERGE on a unique key, set properties.
UNWIND $rows AS row
MERGE (p:BenchProbe {id: row.id})
SET p.values = row.values, p.sha256 = row.sha256
