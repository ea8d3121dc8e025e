// Test set-up: a table with an active version 1 and a proposed version 2.
CREATE (s:Schema {name: $table, owner: 'tests', description: 'approvals test', latest_version: 2})
CREATE (v1:SchemaVersion {id: $table + '@1', table: $table, version: 1, sha256: 'a', fields: '{}',
                          definition: '{}', entity_key: ['id'], status: 'active'})
CREATE (v2:SchemaVersion {id: $table + '@2', table: $table, version: 2, sha256: 'b', fields: '{}',
                          definition: '{}', entity_key: ['id'], status: 'proposed'})
CREATE (s)-[:HAS_VERSION]->(v1), (s)-[:HAS_VERSION]->(v2)
