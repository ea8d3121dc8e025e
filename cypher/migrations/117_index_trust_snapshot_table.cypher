// Trend charts read the snapshots of one table.
CREATE INDEX trust_snapshot_table IF NOT EXISTS
FOR (n:TrustSnapshot) ON (n.table)
