// Replace a usable key's secret hash; the old secret stops working. No row: not usable.
MATCH (:User)-[:OWNS]->(k:ApiKey {id: $id})
WHERE k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $now)
SET k.hash = $hash, k.rotated_at = $now, k.last_used_at = null
RETURN k.id AS id
