// A user and every workspace membership they hold.
MATCH (u:User {id: $user})
OPTIONAL MATCH (u)-[m:MEMBER_OF]->(w:Workspace)
RETURN u.id AS user,
       collect(CASE WHEN w IS NULL THEN null ELSE {
         workspace: w.id, role: m.role, tables: m.tables, pii: m.pii
       } END) AS memberships
