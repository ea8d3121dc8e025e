// Whether a user exists, and their membership (role, tables, pii) in one workspace.
OPTIONAL MATCH (u:User {id: $user})
OPTIONAL MATCH (u)-[m:MEMBER_OF]->(:Workspace {id: $workspace})
RETURN u IS NOT NULL AS user_found, m.role AS role, m.tables AS tables,
       coalesce(m.pii, false) AS pii
LIMIT 1
