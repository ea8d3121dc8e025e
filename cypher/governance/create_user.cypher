// Create a user with their personal workspace, the user its admin. Writes nothing when the
// id or the email is taken (the uniqueness constraints also refuse a concurrent twin).
OPTIONAL MATCH (by_id:User {id: $id})
OPTIONAL MATCH (by_email:User {email: $email})
WITH by_id IS NOT NULL AS id_taken, by_email IS NOT NULL AS email_taken
FOREACH (_ IN CASE WHEN id_taken OR email_taken THEN [] ELSE [1] END |
  CREATE (u:User {id: $id, name: $name, email: $email, created_at: datetime()})
  CREATE (w:Workspace {id: $workspace, name: $workspace_name, kind: 'personal', created_at: datetime()})
  CREATE (u)-[:MEMBER_OF {role: 'admin', pii: false, granted_at: datetime()}]->(w)
)
RETURN id_taken, email_taken
