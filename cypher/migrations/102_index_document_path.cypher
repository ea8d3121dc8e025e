// Range index for lookups and filters on Document.path.
CREATE INDEX document_path IF NOT EXISTS
FOR (n:Document) ON (n.path)
