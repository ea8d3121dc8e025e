// The files whose newest version waits for one table version (set by `schemas/propose_table`):
// where each lies (its source's folder and its path below the watched root) and its content.
MATCH (v:SchemaVersion {table: $table, version: $version})
MATCH (d:Document {awaiting_schema: v.id})-[:FROM_SOURCE]->(s:Source)
WHERE NOT EXISTS { (:Document)-[:SUPERSEDES]->(d) }
RETURN s.location AS location, d.path AS path, d.sha256 AS sha256, d.size AS size
ORDER BY d.path
