// Test helper: overwrite the stored values (JSON text) of one row, e.g. with a damaged token.
MATCH (r:Row {id: $id})
SET r.values = $values
