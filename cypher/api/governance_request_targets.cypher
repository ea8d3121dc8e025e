// What each of a batch of change requests targets: the node's labels, id (name for a
// Schema) and table (a Schema's name, else the node's table property), if it targets one.
UNWIND $ids AS id
MATCH (cr:ChangeRequest {id: id})-[:TARGETS]->(t)
RETURN id,
       labels(t) AS labels,
       coalesce(t.id, t.name) AS target,
       CASE WHEN t:Schema THEN t.name ELSE t.table END AS table
