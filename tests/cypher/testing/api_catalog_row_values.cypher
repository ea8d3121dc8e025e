// Test helper: the stored values (JSON text) of one row.
MATCH (r:Row {id: $id})
RETURN r.values AS values
