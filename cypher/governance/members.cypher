// A workspace and its members with their roles, table restrictions and PII flags.
MATCH (w:Workspace {id: $workspace})
OPTIONAL MATCH (u:User)-[m:MEMBER_OF]->(w)
RETURN w.id AS workspace, w.name AS name, w.kind AS kind,
       collect(CASE WHEN u IS NULL THEN null ELSE {
         user: u.id, name: u.name, email: u.email,
         role: m.role, tables: m.tables, pii: m.pii
       } END) AS members
