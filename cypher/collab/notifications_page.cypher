// One page of a person's notifications, newest first (unread only when $unread), before the
// (created_at, id) of $before_at/$before_id, about $tables or (about no table) $workspaces.
MATCH (n:Notification {user: $user})
WHERE (n.table IN $tables OR (n.table IS NULL AND n.workspace IN $workspaces))
  AND (NOT $unread OR n.read_at IS NULL)
  AND ($before_at IS NULL OR n.created_at < $before_at
       OR (n.created_at = $before_at AND n.id < $before_id))
RETURN n.id AS id, n.kind AS kind, n.subject AS subject, n.subject_kind AS subject_kind,
       n.table AS table, n.workspace AS workspace, n.message AS message, n.actor AS actor,
       n.created_at AS created_at, n.read_at AS read_at
ORDER BY n.created_at DESC, n.id DESC
LIMIT $limit
