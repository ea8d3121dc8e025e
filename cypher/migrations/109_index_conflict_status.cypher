// Range index for lookups and filters on Conflict.status.
CREATE INDEX conflict_status IF NOT EXISTS
FOR (n:Conflict) ON (n.status)
