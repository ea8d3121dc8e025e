// Range index on Row.quarantined_by: the rows a person quarantined, read to train the trust
// model.
CREATE INDEX row_quarantined_by IF NOT EXISTS
FOR (n:Row) ON (n.quarantined_by)
