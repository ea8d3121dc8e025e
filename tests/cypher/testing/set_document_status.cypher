// Force the status of one version of a file (to build a version anomaly).
MATCH (d:Document {source: $source, path: $path, version: $version})
SET d.status = $status
RETURN d.id AS id
