// Range index for lookups and filters on Document.status.
CREATE INDEX document_status IF NOT EXISTS
FOR (n:Document) ON (n.status)
