// The assignment of one node, if any.
MATCH (a:Assignment {node: $node})
RETURN a.id AS id, a.node AS node, a.node_kind AS node_kind, a.table AS table,
       a.workspace AS workspace, a.user AS user, a.role AS role, a.assigned_by AS assigned_by,
       a.assigned_at AS assigned_at, a.due_at AS due_at, a.note AS note
