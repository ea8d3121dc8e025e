// Test-only: bare Row nodes with given JSON values (field encryption tests).
UNWIND $rows AS row
MERGE (r:Row {id: row.id})
SET r.table = row.table, r.key = row.id, r.values = row.values, r.status = 'active'
