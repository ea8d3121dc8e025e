// Test check: some nodes by id (change requests, conflicts, rows, documents) with their
// properties and every relationship around them, and the audit events of some actors: what a
// refused mutation must leave exactly as it was.
UNWIND $ids AS id
OPTIONAL MATCH (cr:ChangeRequest {id: id})
OPTIONAL MATCH (k:Conflict {id: id})
OPTIONAL MATCH (r:Row {id: id})
OPTIONAL MATCH (d:Document {id: id})
WITH id, coalesce(cr, k, r, d) AS n
CALL (n) {
  OPTIONAL MATCH (n)-[rel]-(m)
  WITH rel, m ORDER BY type(rel), elementId(m), elementId(rel)
  RETURN collect(CASE WHEN rel IS NULL THEN null ELSE
           [type(rel), startNode(rel) = n, coalesce(m.id, elementId(m)), properties(rel)] END)
         AS edges
}
WITH collect([id, properties(n), edges]) AS nodes
CALL () {
  MATCH (e:AuditEvent) WHERE e.actor IN $actors
  RETURN count(e) AS audited
}
RETURN nodes, audited
