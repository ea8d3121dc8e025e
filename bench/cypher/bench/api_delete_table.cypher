// Benchmark tear-down: a table definition the API benchmarks synced, with all its versions
// and the points of its trust trend.
CALL () {
  MATCH (t:TrustSnapshot {table: $name})
  DETACH DELETE t
}
OPTIONAL MATCH (s:Schema {name: $name})
OPTIONAL MATCH (s)-[:HAS_VERSION]->(v:SchemaVersion)
DETACH DELETE s, v
