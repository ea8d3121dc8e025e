// Range index on Row.released_by: the rows a person released, read to train the trust model.
CREATE INDEX row_released_by IF NOT EXISTS
FOR (n:Row) ON (n.released_by)
