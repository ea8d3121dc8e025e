// Active rows under their table's quarantine threshold, among the rows that describe some
// entities. Rows a person released are exempt until they are quarantined by hand again.
// Rows are reached only by expanding from the entities, never by a label or an index of
// theirs: a plan made while the store held few rows would otherwise seek every active row
// once per entity (tests/integration/test_anchored_plans.py).
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r)
WHERE r.status = 'active'
  AND r.trust < coalesce($thresholds[r.table], $default_threshold)
  AND NOT coalesce(r.quarantine_exempt, false)
RETURN DISTINCT r.id AS id, r.table AS table, r.trust AS trust
