// Test clean-up of the review API tests: the facts resolved for some entities, trust
// snapshots by id, and conflicts by id (semantic ones outlive the chunks they involve).
CALL () {
  UNWIND $entities AS entity_id
  MATCH (f:Fact {entity: entity_id})
  DETACH DELETE f
}
CALL () {
  UNWIND $snapshots AS snapshot_id
  MATCH (t:TrustSnapshot {id: snapshot_id})
  DELETE t
}
CALL () {
  UNWIND $conflicts AS conflict_id
  MATCH (k:Conflict {id: conflict_id})
  DETACH DELETE k
}
