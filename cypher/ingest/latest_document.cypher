// The newest version of one file of one source, whatever its status.
MATCH (d:Document {source: $source, path: $path})
RETURN d.id AS id, d.version AS version, d.sha256 AS sha256, d.status AS status
ORDER BY d.version DESC
LIMIT 1
