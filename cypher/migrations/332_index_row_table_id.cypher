// Composite range index: the rows of one table in id order, read page by page.
CREATE INDEX row_table_id IF NOT EXISTS
FOR (n:Row) ON (n.table, n.id)
