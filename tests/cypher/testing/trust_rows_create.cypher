// Test-only: bare active Row nodes of table $table with given trust (null: unscored).
UNWIND $rows AS row
CREATE (r:Row {id: row.id, table: $table, key: row.id, status: 'active', trust: row.trust})
