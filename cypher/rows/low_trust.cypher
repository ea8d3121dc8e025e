// Active rows under their table's quarantine threshold, among the rows that describe some
// entities. Rows a person released are exempt until they are quarantined by hand again.
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row {status: 'active'})
WHERE r.trust < coalesce($thresholds[r.table], $default_threshold)
  AND NOT coalesce(r.quarantine_exempt, false)
RETURN DISTINCT r.id AS id, r.table AS table, r.trust AS trust
