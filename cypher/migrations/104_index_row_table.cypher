// Range index for lookups and filters on Row.table.
CREATE INDEX row_table IF NOT EXISTS
FOR (n:Row) ON (n.table)
