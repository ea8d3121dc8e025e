// Every table with the workspace it belongs to (null: none, so the default workspace).
MATCH (s:Schema)
OPTIONAL MATCH (s)-[:IN_WORKSPACE]->(w:Workspace)
RETURN s.name AS table, w.id AS workspace
