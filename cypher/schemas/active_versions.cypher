// The active version of every table definition.
MATCH (s:Schema)-[:HAS_VERSION]->(v:SchemaVersion {status: 'active'})
RETURN s {.*} AS schema, v {.*} AS version
ORDER BY s.name
