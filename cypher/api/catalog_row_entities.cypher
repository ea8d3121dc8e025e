// The Entity each row describes.
UNWIND $ids AS id
MATCH (:Row {id: id})-[:DESCRIBES]->(e:Entity)
RETURN id, e {.id, .table, .key} AS entity
