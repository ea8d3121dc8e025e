// What the authorization matrix seeded, as comparable values: rows with their edges, the
// conflicts about its entities and its change requests (a refused or injected operation must
// leave all of it as it was).
CALL (){
  UNWIND $entities AS entity_id
  MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row)
  OPTIONAL MATCH (r)-[e]-()
  WITH r, type(e) AS kind, count(e) AS edges
  ORDER BY r.id, kind
  RETURN collect([r.id, r.status, r.values, kind, edges]) AS rows
}
CALL (){
  UNWIND $entities AS entity_id
  MATCH (k:Conflict {entity: entity_id})
  WITH k ORDER BY k.id
  RETURN collect([k.id, k.status]) AS conflicts
}
CALL (){
  MATCH (cr:ChangeRequest) WHERE cr.id IN $requests
  OPTIONAL MATCH (c:Comment)-[:ON]->(cr)
  WITH cr, count(c) AS comments ORDER BY cr.id
  RETURN collect([cr.id, cr.status, comments]) AS requests
}
RETURN rows, conflicts, requests
