// The derived graph, for comparing a run with crashes to a clean one: node counts per label
// and edge counts per type (the audit chain, whose length depends on retries, left out),
// active rows, conflicts, facts and trust rounded to 1e-6. No timestamps, no pass state.
CALL () {
  MATCH (n)
  WHERE NOT n:AuditEvent AND NOT n:AuditHead AND NOT n:AuditCheckpoint
  UNWIND labels(n) AS label
  WITH label, count(*) AS count ORDER BY label
  RETURN collect([label, count]) AS labels
}
CALL () {
  MATCH ()-[r]->()
  WHERE NOT type(r) IN ['NEXT', 'HEAD']
  WITH type(r) AS type, count(*) AS count ORDER BY type
  RETURN collect([type, count]) AS edges
}
CALL () {
  MATCH (r:Row {status: 'active'})
  WITH r ORDER BY r.id
  RETURN collect([r.id, round(r.trust, 6)]) AS rows
}
CALL () {
  MATCH (c:Conflict)
  WITH c ORDER BY c.id
  RETURN collect([c.id, c.status]) AS conflicts
}
CALL () {
  MATCH (f:Fact)
  WITH f ORDER BY f.id
  RETURN collect([f.id, f.status, f.digest, round(f.confidence, 6)]) AS facts
}
CALL () {
  MATCH (n)
  WHERE (n:Source OR n:Document) AND n.trust IS NOT NULL
  WITH n ORDER BY n.id
  RETURN collect([n.id, round(n.trust, 6)]) AS trust
}
RETURN labels, edges, rows, conflicts, facts, trust
