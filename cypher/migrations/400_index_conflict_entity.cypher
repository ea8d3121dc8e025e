// Range index for the conflicts about an entity (incremental scans, reconciliation).
CREATE INDEX conflict_entity IF NOT EXISTS
FOR (n:Conflict) ON (n.entity)
