// Mark a person's unread notifications read: those of $ids, or all of them when $ids is null.
MATCH (n:Notification {user: $user})
WHERE n.read_at IS NULL AND ($ids IS NULL OR n.id IN $ids)
SET n.read_at = $at
RETURN count(n) AS marked
