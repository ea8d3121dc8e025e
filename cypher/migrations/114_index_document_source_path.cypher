// Versions of one file of one source are found by (source, path).
CREATE INDEX document_source_path IF NOT EXISTS
FOR (n:Document) ON (n.source, n.path)
