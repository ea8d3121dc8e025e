// Create a team workspace; its creator (when a user) becomes its admin. Nothing when the id is taken.
OPTIONAL MATCH (taken:Workspace {id: $id})
OPTIONAL MATCH (creator:User {id: $creator})
WITH taken IS NOT NULL AS exists, creator
FOREACH (_ IN CASE WHEN exists THEN [] ELSE [1] END |
  CREATE (w:Workspace {id: $id, name: $name, kind: 'team', created_at: datetime()})
  FOREACH (c IN CASE WHEN creator IS NULL THEN [] ELSE [creator] END |
    CREATE (c)-[:MEMBER_OF {role: 'admin', pii: false, granted_at: datetime()}]->(w)
  )
)
RETURN exists
