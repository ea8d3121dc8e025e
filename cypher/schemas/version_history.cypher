// Every version of one table, newest first, with the version each one replaced.
MATCH (s:Schema {name: $table})-[:HAS_VERSION]->(v:SchemaVersion)
OPTIONAL MATCH (v)-[:PREVIOUS]->(previous:SchemaVersion)
RETURN v {.*} AS version, previous.version AS previous_version
ORDER BY v.version DESC
