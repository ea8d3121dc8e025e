// One page of the entities of a table by id (keyset: ids after $after).
MATCH (e:Entity {table: $table})
WHERE e.id > $after
RETURN e {.id, .table, .key} AS entity
ORDER BY e.id
LIMIT $limit
