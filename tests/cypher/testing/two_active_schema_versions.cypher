// A table with two versions that are both active: a version anomaly.
CREATE (s:Schema {name: $table, owner: 'test', description: 'test', latest_version: 2})
CREATE (s)-[:HAS_VERSION]->(:SchemaVersion {id: $table + '@1', table: $table, version: 1,
                                            status: 'active'})
CREATE (s)-[:HAS_VERSION]->(:SchemaVersion {id: $table + '@2', table: $table, version: 2,
                                            status: 'active'})
