// Revoke an API key (idempotent: a revoked key keeps its first revocation time).
MATCH (:User)-[:OWNS]->(k:ApiKey {id: $id})
WITH k, k.revoked_at IS NOT NULL AS already
SET k.revoked_at = coalesce(k.revoked_at, $now)
RETURN already
