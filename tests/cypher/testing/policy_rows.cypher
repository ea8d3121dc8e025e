// Test data: rows of one table, created (or reset) with given values, trust, status and age.
UNWIND $rows AS row
MERGE (r:Row {id: row.id})
SET r.table = $table, r.key = row.key, r.values = row.values, r.sha256 = row.id,
    r.trust = row.trust, r.status = row.status, r.created_at = datetime(row.created_at)
