// A user and every workspace membership they hold (nothing for a deactivated user).
MATCH (u:User {id: $user})
WHERE u.deactivated_at IS NULL
OPTIONAL MATCH (u)-[m:MEMBER_OF]->(w:Workspace)
RETURN u.id AS user,
       collect(CASE WHEN w IS NULL THEN null ELSE {
         workspace: w.id, role: m.role, tables: m.tables, pii: m.pii
       } END) AS memberships
