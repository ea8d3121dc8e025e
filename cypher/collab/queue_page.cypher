// One page of a person's review queue, oldest first: the open conflicts and change requests
// assigned to them or to a role they hold in the node's workspace ($roles: one map per
// workspace, the roles they satisfy), about $tables or (about no table) $workspaces, after
// the (assigned_at, id) of $after_at/$after_id.
MATCH (a:Assignment)-[:OF]->(node)
WHERE node.status = 'open'
  AND (a.user = $user OR any(m IN $roles WHERE m.workspace = a.workspace AND a.role IN m.roles))
  AND (a.table IN $tables OR (a.table IS NULL AND a.workspace IN $workspaces))
  AND ($after_at IS NULL OR a.assigned_at > $after_at
       OR (a.assigned_at = $after_at AND a.id > $after_id))
RETURN a.id AS id, a.node AS node, a.node_kind AS node_kind, a.table AS table,
       a.workspace AS workspace, a.user AS user, a.role AS role, a.assigned_by AS assigned_by,
       a.assigned_at AS assigned_at, a.due_at AS due_at, a.note AS note
ORDER BY a.assigned_at, a.id
LIMIT $limit
