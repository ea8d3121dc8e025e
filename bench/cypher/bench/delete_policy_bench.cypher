// Benchmark tear-down: the benchmark's policies, evaluations and table definitions.
CALL () {
  MATCH (p:Policy) WHERE p.name IN $policies
  DETACH DELETE p
}
CALL () {
  MATCH (e:PolicyEvaluation) WHERE any(t IN e.tables WHERE t IN $tables)
  DETACH DELETE e
}
MATCH (s:Schema) WHERE s.name IN $tables
OPTIONAL MATCH (s)-[:HAS_VERSION]->(v:SchemaVersion)
DETACH DELETE s, v
