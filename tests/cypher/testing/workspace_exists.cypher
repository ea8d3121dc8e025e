// Whether a workspace exists, and its kind.
OPTIONAL MATCH (w:Workspace {id: $id})
RETURN w IS NOT NULL AS exists, w.kind AS kind
