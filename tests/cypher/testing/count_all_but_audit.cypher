// Total nodes and relationships outside the audit log, to prove that an operation wrote
// nothing but its own audit record (an audited question records itself).
CALL () {
  MATCH (n)
  WHERE NOT n:AuditEvent AND NOT n:AuditHead AND NOT n:AuditCheckpoint
  RETURN count(n) AS nodes
}
CALL () {
  MATCH ()-[r]->()
  WHERE NOT type(r) IN ['NEXT', 'HEAD']
  RETURN count(r) AS relationships
}
RETURN nodes, relationships
