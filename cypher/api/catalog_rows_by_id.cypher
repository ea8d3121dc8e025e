// Rows by id, only of the tables the caller may read (rows still loading are not shown).
UNWIND $ids AS id
MATCH (r:Row {id: id})
WHERE r.table IN $tables AND r.status <> 'pending'
RETURN r {.id, .table, .key, .values, .sha256, .trust, .status} AS row
