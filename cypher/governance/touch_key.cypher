// Record a key's use, unless one was recorded since $cutoff (at most one write a minute).
MATCH (k:ApiKey {id: $id})
WHERE k.last_used_at IS NULL OR k.last_used_at <= $cutoff
SET k.last_used_at = $now
