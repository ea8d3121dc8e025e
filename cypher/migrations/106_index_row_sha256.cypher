// Range index for lookups and filters on Row.sha256.
CREATE INDEX row_sha256 IF NOT EXISTS
FOR (n:Row) ON (n.sha256)
