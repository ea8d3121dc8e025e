// The team workspace $id, created on first use (the default workspace); says if it was.
OPTIONAL MATCH (existing:Workspace {id: $id})
WITH existing IS NULL AS missing
MERGE (w:Workspace {id: $id})
  ON CREATE SET w.name = $name, w.kind = 'team', w.created_at = datetime()
RETURN missing AS created
