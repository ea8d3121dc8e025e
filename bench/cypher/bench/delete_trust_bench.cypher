// Benchmark tear-down: up to $limit nodes of the trust benchmark per call (its rows,
// documents and sources by id prefix, and the entities and facts of its keys).
CALL () {
  MATCH (n:Row) WHERE n.id STARTS WITH $prefix RETURN n
  UNION
  MATCH (n:Document) WHERE n.id STARTS WITH $prefix RETURN n
  UNION
  MATCH (n:Source) WHERE n.id STARTS WITH $prefix RETURN n
  UNION
  MATCH (n:Entity) WHERE n.id STARTS WITH 'cities:' + $prefix RETURN n
  UNION
  MATCH (n:Fact) WHERE n.id STARTS WITH 'fact:cities:' + $prefix RETURN n
}
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
