// Store a new API key (its secret's hash only) owned by a user; no row: the user is unknown.
MATCH (u:User {id: $user})
CREATE (k:ApiKey {
  id: $id, name: $name, hash: $hash, scopes: $scopes,
  created_at: $now, expires_at: $expires_at
})
CREATE (u)-[:OWNS]->(k)
RETURN k.id AS id
