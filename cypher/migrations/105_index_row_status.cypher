// Range index for lookups and filters on Row.status.
CREATE INDEX row_status IF NOT EXISTS
FOR (n:Row) ON (n.status)
