// The newest version of one file of one source, whatever its status; `schema_ready` when it
// waited for a proposed table that is now in force (the file is then ingested again), and
// `schema_refused` when every change request proposing that table was rejected or expired
// (the file is then matched again against the tables in force, and fails if none fits).
MATCH (d:Document {source: $source, path: $path})
WITH d ORDER BY d.version DESC LIMIT 1
OPTIONAL MATCH (v:SchemaVersion {id: d.awaiting_schema})
CALL (v) {
  OPTIONAL MATCH (cr:ChangeRequest {kind: 'schema.create', table: v.table})-[:TARGETS]->(waiting:Document)
  WHERE v.status = 'proposed' AND waiting.awaiting_schema = v.id
  RETURN collect(cr.status) AS proposals
}
RETURN d.id AS id, d.version AS version, d.sha256 AS sha256, d.status AS status,
       coalesce(v.status = 'active', false) AS schema_ready,
       size(proposals) > 0 AND all(status IN proposals WHERE status IN ['rejected', 'expired'])
         AS schema_refused
