// How many of the named schemas and their versions exist.
MATCH (s:Schema) WHERE s.name IN $names
OPTIONAL MATCH (s)-[:HAS_VERSION]->(v:SchemaVersion)
RETURN count(DISTINCT s) AS schemas, count(v) AS versions
