// One page of the entities of a table by id (keyset: ids after $after), read in the order
// of the (table, id) index.
MATCH (e:Entity)
WHERE e.table = $table AND e.id > $after
RETURN e {.id, .table, .key} AS entity
ORDER BY e.table, e.id
LIMIT $limit
