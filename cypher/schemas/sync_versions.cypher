// Write each table definition. A new table's first version is active at once; a changed
// definition becomes a `proposed` SchemaVersion pointing to the active one, put in force only
// when its change request is approved (`governance/activate_schema_version`). An unchanged
// definition (equal to the latest version, proposed or active) writes nothing new.
UNWIND $tables AS t
MERGE (s:Schema {name: t.name})
  ON CREATE SET s.latest_version = 0, s.created_at = datetime()
SET s.owner = t.owner, s.description = t.description
WITH s, t
OPTIONAL MATCH (s)-[:HAS_VERSION]->(latest:SchemaVersion {version: s.latest_version})
WITH s, t, latest
WHERE latest IS NULL OR latest.sha256 <> t.sha256
CREATE (v:SchemaVersion {
  id: t.name + '@' + toString(s.latest_version + 1),
  table: t.name,
  version: s.latest_version + 1,
  sha256: t.sha256,
  fields: t.fields,
  definition: t.definition,
  entity_key: t.entity_key,
  status: CASE WHEN latest IS NULL THEN 'active' ELSE 'proposed' END,
  created_at: datetime()
})
CREATE (s)-[:HAS_VERSION]->(v)
SET s.latest_version = v.version
WITH s, v
OPTIONAL MATCH (s)-[:HAS_VERSION]->(active:SchemaVersion {status: 'active'})
WHERE active <> v
FOREACH (old IN CASE WHEN active IS NULL THEN [] ELSE [active] END |
  CREATE (v)-[:PREVIOUS]->(old)
)
RETURN v.table AS table, v.version AS version, v.id AS id, v.status AS status
