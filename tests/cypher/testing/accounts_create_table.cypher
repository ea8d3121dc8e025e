// A stand-in Schema node (no versions) for workspace assignment tests.
CREATE (:Schema {name: $name, owner: 'tests', description: 'test table', latest_version: 0})
