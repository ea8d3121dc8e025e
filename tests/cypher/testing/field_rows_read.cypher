// Test-only: the values of the rows of one table.
MATCH (r:Row {table: $table})
RETURN r.id AS id, r.values AS values
ORDER BY id
