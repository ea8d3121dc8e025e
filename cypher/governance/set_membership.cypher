// Add or change one membership. Refused (nothing written, last_admin true) when it would
// leave the workspace without a full admin (role admin, no table restriction).
// Setting a property of the workspace first takes its write lock, so concurrent changes
// to one workspace's members are serialized and the admin count below is current.
MATCH (w:Workspace {id: $workspace})
SET w.members_locked_at = datetime()
WITH w
OPTIONAL MATCH (u:User {id: $user})
OPTIONAL MATCH (u)-[old:MEMBER_OF]->(w)
WITH w, u, old,
     CASE WHEN old IS NULL THEN null
          ELSE {role: old.role, tables: old.tables, pii: old.pii} END AS before,
     COUNT {
       (other:User)-[m:MEMBER_OF]->(w)
       WHERE other <> u AND m.role = 'admin' AND m.tables IS NULL
     } AS other_admins
WITH w, u, before,
     before IS NOT NULL AND before.role = 'admin' AND before.tables IS NULL
       AND NOT ($role = 'admin' AND $tables IS NULL) AND other_admins = 0 AS last_admin
FOREACH (_ IN CASE WHEN u IS NULL OR last_admin THEN [] ELSE [1] END |
  MERGE (u)-[m:MEMBER_OF]->(w)
    ON CREATE SET m.granted_at = datetime()
  SET m.role = $role, m.tables = $tables, m.pii = $pii, m.changed_at = datetime()
)
RETURN u IS NOT NULL AS user_found, last_admin, before
