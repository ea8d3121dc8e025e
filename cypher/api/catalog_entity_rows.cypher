// The rows that describe each entity, of the tables the caller may read, by id.
UNWIND $ids AS id
MATCH (:Entity {id: id})<-[:DESCRIBES]-(r:Row)
WHERE r.table IN $tables AND r.status <> 'pending'
WITH id, r ORDER BY r.id
RETURN id, collect(r {.id, .table, .key, .values, .sha256, .trust, .status}) AS rows
