// Range index for lookups and filters on Row.trust.
CREATE INDEX row_trust IF NOT EXISTS
FOR (n:Row) ON (n.trust)
