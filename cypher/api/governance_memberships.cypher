// The workspace memberships of each of a batch of users, by workspace id, with the
// workspace's name and kind.
UNWIND $users AS user
MATCH (:User {id: user})-[m:MEMBER_OF]->(w:Workspace)
WITH user, m, w ORDER BY w.id
RETURN user,
       collect({
         workspace: w.id, name: w.name, kind: w.kind,
         role: m.role, tables: m.tables, pii: m.pii
       }) AS memberships
