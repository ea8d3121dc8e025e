// A user's API keys, without their hashes; no row: the user is unknown.
MATCH (u:User {id: $user})
OPTIONAL MATCH (u)-[:OWNS]->(k:ApiKey)
RETURN collect(CASE WHEN k IS NULL THEN null ELSE {
  id: k.id, name: k.name, scopes: k.scopes, created_at: k.created_at,
  expires_at: k.expires_at, last_used_at: k.last_used_at, revoked_at: k.revoked_at
} END) AS keys
