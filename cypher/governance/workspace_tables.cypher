// The tables of a workspace; tables assigned to none belong to the default workspace.
MATCH (s:Schema)
OPTIONAL MATCH (s)-[:IN_WORKSPACE]->(w:Workspace)
WITH s, coalesce(w.id, $default) AS workspace
WHERE workspace = $workspace
RETURN collect(s.name) AS tables
