// The ids of the active table versions.
MATCH (:Schema)-[:HAS_VERSION]->(v:SchemaVersion {status: 'active'})
RETURN v.id AS id
