// The derived graph, for comparing a run with crashes to a clean one: node counts per label
// and edge counts per type, active rows, conflicts, facts and trust (compared to within 1e-6:
// sums taken in another order differ in their last bits). No timestamps, no pass state, and
// no history records whose number depends on how the work was scheduled: the audit chain
// (retries) and the policy evaluations (one per check run, and passes that coalesce run one
// check for several documents); the violations they found are edges, and counted.
CALL () {
  MATCH (n)
  WHERE NOT n:AuditEvent AND NOT n:AuditHead AND NOT n:AuditCheckpoint AND NOT n:PolicyEvaluation
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
  RETURN collect([r.id, r.trust]) AS rows
}
CALL () {
  MATCH (c:Conflict)
  WITH c ORDER BY c.id
  RETURN collect([c.id, c.status]) AS conflicts
}
CALL () {
  MATCH (f:Fact)
  WITH f ORDER BY f.id
  RETURN collect([f.id, f.status, f.digest, f.confidence]) AS facts
}
CALL () {
  MATCH (n)
  WHERE (n:Source OR n:Document) AND n.trust IS NOT NULL
  WITH n ORDER BY n.id
  RETURN collect([n.id, n.trust]) AS trust
}
RETURN labels, edges, rows, conflicts, facts, trust
