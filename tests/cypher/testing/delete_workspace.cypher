// Remove one workspace and its links (the default one, to test its creation on first use).
MATCH (w:Workspace {id: $id})
DETACH DELETE w
