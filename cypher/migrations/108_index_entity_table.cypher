// Range index for lookups and filters on Entity.table.
CREATE INDEX entity_table IF NOT EXISTS
FOR (n:Entity) ON (n.table)
