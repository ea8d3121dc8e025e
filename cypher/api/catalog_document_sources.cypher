// The Source of each document.
UNWIND $ids AS id
MATCH (:Document {id: id})-[:FROM_SOURCE]->(s:Source)
RETURN id, s {.id, .kind, .location, .trust} AS source
