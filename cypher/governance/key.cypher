// One API key with its owner, without its hash.
MATCH (u:User)-[:OWNS]->(k:ApiKey {id: $id})
RETURN u.id AS owner, k.name AS name, k.scopes AS scopes, k.created_at AS created_at,
       k.expires_at AS expires_at, k.last_used_at AS last_used_at, k.revoked_at AS revoked_at
