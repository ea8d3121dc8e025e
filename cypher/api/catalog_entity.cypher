// One entity by table and key.
MATCH (e:Entity {table: $table, key: $key})
RETURN e {.id, .table, .key} AS entity
