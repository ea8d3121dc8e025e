// Range index for lookups and filters on Document.sha256.
CREATE INDEX document_sha256 IF NOT EXISTS
FOR (n:Document) ON (n.sha256)
