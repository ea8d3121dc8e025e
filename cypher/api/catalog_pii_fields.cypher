// The field definitions of every version of some tables (JSON), to find their personal fields.
UNWIND $tables AS table
MATCH (:Schema {name: table})-[:HAS_VERSION]->(v:SchemaVersion)
RETURN table, v.fields AS fields
