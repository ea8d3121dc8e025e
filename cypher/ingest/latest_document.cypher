// The newest version of one file of one source, whatever its status; `schema_ready` when it
// waited for a proposed table that is now in force (the file is then ingested again).
MATCH (d:Document {source: $source, path: $path})
WITH d ORDER BY d.version DESC LIMIT 1
OPTIONAL MATCH (v:SchemaVersion {id: d.awaiting_schema})
RETURN d.id AS id, d.version AS version, d.sha256 AS sha256, d.status AS status,
       coalesce(v.status = 'active', false) AS schema_ready
