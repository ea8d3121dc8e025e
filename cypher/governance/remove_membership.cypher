// Remove one membership. Refused (nothing written, last_admin true) when the member is the
// workspace's last full admin. The workspace's write lock serializes concurrent removals.
MATCH (w:Workspace {id: $workspace})
SET w.members_locked_at = datetime()
WITH w
OPTIONAL MATCH (:User {id: $user})-[old:MEMBER_OF]->(w)
WITH w, old,
     CASE WHEN old IS NULL THEN null
          ELSE {role: old.role, tables: old.tables, pii: old.pii} END AS before
WITH old, before,
     before IS NOT NULL AND before.role = 'admin' AND before.tables IS NULL
       AND COUNT {
         (:User)-[m:MEMBER_OF]->(w) WHERE m <> old AND m.role = 'admin' AND m.tables IS NULL
       } = 0 AS last_admin
FOREACH (r IN CASE WHEN old IS NULL OR last_admin THEN [] ELSE [old] END | DELETE r)
RETURN before, last_admin
