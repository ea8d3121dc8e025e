// Versions that should have replaced each other but are active together: several active
// versions of one file (one source and path), several active versions of one table schema.
// With $source and $path set, only that file is checked (the incremental scan).
CALL () {
  MATCH (d:Document {status: 'active'})
  WHERE $path IS NULL OR (d.source = $source AND d.path = $path)
  WITH d.source AS source, d.path AS path, collect(d) AS versions
  WHERE size(versions) > 1
  RETURN 'conflict:version:document:' + source + ':' + path AS id, 'document' AS subject,
         source + ':' + path AS name, [v IN versions | v.id] AS members,
         [v IN versions | v.version] AS numbers
  UNION ALL
  MATCH (s:Schema)-[:HAS_VERSION]->(v:SchemaVersion {status: 'active'})
  WHERE $path IS NULL
  WITH s, collect(v) AS versions
  WHERE size(versions) > 1
  RETURN 'conflict:version:schema:' + s.name AS id, 'schema' AS subject, s.name AS name,
         [v IN versions | v.id] AS members, [v IN versions | v.version] AS numbers
}
RETURN id, subject, name, members, numbers
