// What authenticating with an API key needs: its hash and state, its owner's memberships
// (none for a deactivated owner: their keys stop working).
MATCH (u:User)-[:OWNS]->(k:ApiKey {id: $id})
WHERE u.deactivated_at IS NULL
OPTIONAL MATCH (u)-[m:MEMBER_OF]->(w:Workspace)
WITH u, k, collect(CASE WHEN w IS NULL THEN null ELSE {
  workspace: w.id, role: m.role, tables: m.tables, pii: m.pii
} END) AS memberships
RETURN k.hash AS hash, k.scopes AS scopes, k.expires_at AS expires_at,
       k.revoked_at AS revoked_at, k.last_used_at AS last_used_at,
       u.id AS user, memberships
