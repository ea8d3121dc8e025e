// Make one proposed version of a table definition the active one: the version active before
// is superseded and becomes its PREVIOUS (unless it already has one). Returns nothing when
// the version does not exist or is not proposed.
MATCH (s:Schema {name: $table})-[:HAS_VERSION]->(v:SchemaVersion {version: $version})
WHERE v.status = 'proposed'
OPTIONAL MATCH (s)-[:HAS_VERSION]->(old:SchemaVersion {status: 'active'})
WITH s, v, collect(old) AS olds
FOREACH (o IN olds | SET o.status = 'superseded')
FOREACH (o IN CASE WHEN EXISTS { (v)-[:PREVIOUS]->() } THEN [] ELSE olds[0..1] END |
  CREATE (v)-[:PREVIOUS]->(o)
)
SET v.status = 'active', v.activated_at = datetime(),
    s.latest_version = CASE WHEN v.version > s.latest_version THEN v.version ELSE s.latest_version END
RETURN v.id AS id, [o IN olds | o.version] AS superseded
