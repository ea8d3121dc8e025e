// The workspaces of a batch of ids (unknown ids return nothing).
UNWIND $ids AS id
MATCH (w:Workspace {id: id})
RETURN w.id AS id, w.name AS name, w.kind AS kind
