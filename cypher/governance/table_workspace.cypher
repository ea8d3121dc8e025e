// The workspace a table is assigned to (null: none, so the default workspace).
MATCH (s:Schema {name: $table})
OPTIONAL MATCH (s)-[:IN_WORKSPACE]->(w:Workspace)
RETURN s.name AS table, w.id AS workspace
