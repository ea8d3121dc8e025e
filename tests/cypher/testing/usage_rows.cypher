// Test rows for usage counting (complete rows of a table no schema declares).
UNWIND $ids AS id
CREATE (:Row {id: id, table: 'usage_probe', key: id, values: '{}', sha256: id,
              status: 'active'})
