// Move a table into a workspace, only if it is still where the caller checked it was
// ($from; tables in no workspace are in $default). No row returned: it moved meanwhile.
MATCH (s:Schema {name: $table})
MATCH (w:Workspace {id: $workspace})
OPTIONAL MATCH (s)-[old:IN_WORKSPACE]->(previous:Workspace)
WITH s, w, collect(old) AS olds, coalesce(head(collect(previous.id)), $default) AS current
WHERE current = $from
FOREACH (r IN olds | DELETE r)
MERGE (s)-[:IN_WORKSPACE]->(w)
RETURN current AS previous
