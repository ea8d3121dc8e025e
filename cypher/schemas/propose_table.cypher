// A table proposed for a file (inferred by ingestion, or suggested by the co-pilot): its
// definition as a `proposed` SchemaVersion (of a new Schema, or a new version of the one of
// that name), and the Document that waits for it (`awaiting_schema`), when $document_id is
// not null. Idempotent: a definition already stored (same digest) is reused.
OPTIONAL MATCH (d:Document {id: $document_id})
MERGE (s:Schema {name: $table.name})
  ON CREATE SET s.latest_version = 0, s.created_at = datetime(), s.owner = $table.owner,
                s.description = $table.description
WITH d, s
OPTIONAL MATCH (s)-[:HAS_VERSION]->(same:SchemaVersion {sha256: $table.sha256})
WITH d, s, same, s.latest_version + 1 AS next
FOREACH (_ IN CASE WHEN same IS NULL THEN [1] ELSE [] END |
  CREATE (s)-[:HAS_VERSION]->(:SchemaVersion {
    id: s.name + '@' + toString(next), table: s.name, version: next, sha256: $table.sha256,
    fields: $table.fields, definition: $table.definition, entity_key: $table.entity_key,
    status: 'proposed', created_at: datetime()
  })
  SET s.latest_version = next
)
WITH d, s
MATCH (s)-[:HAS_VERSION]->(v:SchemaVersion {sha256: $table.sha256})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | SET d.awaiting_schema = v.id)
RETURN v.table AS table, v.version AS version, v.id AS id, v.status AS status
