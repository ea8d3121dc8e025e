// Field encryption: store rewrapped values, only where they are still what was read
// (a row changed meanwhile keeps its values and is reported as skipped).
UNWIND $rows AS row
MATCH (r:Row {id: row.id})
WHERE r.values = row.before
SET r.values = row.after
RETURN count(r) AS updated
