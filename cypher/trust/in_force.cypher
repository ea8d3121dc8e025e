// What the trust and governance services of a process are built from, to notice in one round
// trip that it changed: the ids of the active table versions, of the active policy versions,
// and the version of the trust model in force (0: none).
CALL () {
  OPTIONAL MATCH (:Schema)-[:HAS_VERSION]->(v:SchemaVersion {status: 'active'})
  RETURN collect(v.id) AS tables
}
CALL () {
  OPTIONAL MATCH (p:Policy {status: 'active'})
  WHERE p.definition IS NOT NULL
  RETURN collect(p.id) AS policies
}
CALL () {
  OPTIONAL MATCH (m:TrustModel)
  WHERE m.in_force
  RETURN coalesce(max(m.version), 0) AS model
}
RETURN tables, policies, model
