// Test set-up: a workspace and users; each user with a role is a member (tables optional).
MERGE (w:Workspace {id: $workspace})
  ON CREATE SET w.name = $workspace, w.kind = 'team', w.created_at = datetime()
WITH w
UNWIND $users AS user
MERGE (u:User {id: user.id})
  ON CREATE SET u.email = user.id + '@test.invalid', u.name = user.id, u.created_at = datetime()
FOREACH (_ IN CASE WHEN user.role IS NULL THEN [] ELSE [1] END |
  MERGE (u)-[m:MEMBER_OF]->(w)
  SET m.role = user.role, m.tables = user.tables, m.pii = false
)
