// The members of each of a batch of workspaces, by user id, with their roles, table
// restrictions and PII flags.
UNWIND $workspaces AS workspace
MATCH (u:User)-[m:MEMBER_OF]->(:Workspace {id: workspace})
WITH workspace, u, m ORDER BY u.id
RETURN workspace,
       collect({
         user: u.id, name: u.name, email: u.email,
         role: m.role, tables: m.tables, pii: m.pii
       }) AS members
