// Facts are exported and listed by table.
CREATE INDEX fact_table IF NOT EXISTS
FOR (n:Fact) ON (n.table)
