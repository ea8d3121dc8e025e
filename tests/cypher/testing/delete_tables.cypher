// Test clean-up: remove the schemas a test wrote, with all their versions.
MATCH (s:Schema) WHERE s.name IN $names
OPTIONAL MATCH (s)-[:HAS_VERSION]->(v:SchemaVersion)
DETACH DELETE s, v
