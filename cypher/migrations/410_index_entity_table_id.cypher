// Composite range index: the entities of one table in id order, read page by page (API).
CREATE INDEX entity_table_id IF NOT EXISTS
FOR (n:Entity) ON (n.table, n.id)
