// Test-only: remove the rows of one table.
MATCH (r:Row {table: $table})
DETACH DELETE r
