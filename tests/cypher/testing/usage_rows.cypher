// Test rows for usage counting.
UNWIND $ids AS id
CREATE (:Row {id: id, table: 'usage_probe', status: 'active'})
