// How many notifications a person has about $tables or (about no table) $workspaces, and
// how many of them are unread.
MATCH (n:Notification {user: $user})
WHERE n.table IN $tables OR (n.table IS NULL AND n.workspace IN $workspaces)
RETURN count(n) AS total, count(CASE WHEN n.read_at IS NULL THEN 1 END) AS unread
