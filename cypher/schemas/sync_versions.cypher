// Write each table definition; a changed definition becomes a new active SchemaVersion
// that points to the one it replaces. An unchanged definition writes nothing new.
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
  status: 'active',
  created_at: datetime()
})
CREATE (s)-[:HAS_VERSION]->(v)
SET s.latest_version = v.version
FOREACH (old IN CASE WHEN latest IS NULL THEN [] ELSE [latest] END |
  CREATE (v)-[:PREVIOUS]->(old)
  SET old.status = 'superseded'
)
RETURN v.table AS table, v.version AS version, v.id AS id
