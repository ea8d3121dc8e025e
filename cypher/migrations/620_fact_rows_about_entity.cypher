// Facts keep the ids of the rows they were resolved from in `rows` and one edge, ABOUT their
// entity, instead of a RESOLVED_FROM edge to each row (`trust/write_facts`, where the edges
// were most of the write). Each stored fact without `rows` gets the ids its edges reach and
// its ABOUT edge, and loses the edges; 1,000 facts a run, repeated until it moves none
// (`graph.migrations`): at once, 20,000 facts' 180,000 edges exceeded Neo4j's memory for
// transactions (716.8 MiB).
MATCH (f:Fact)
WHERE f.rows IS NULL
WITH f LIMIT 1000
CALL (f) {
  OPTIONAL MATCH (f)-[edge:RESOLVED_FROM]->(r:Row)
  WITH edge, r.id AS id ORDER BY id
  DELETE edge
  RETURN collect(id) AS rows
}
SET f.rows = rows
WITH f
CALL (f) {
  MATCH (e:Entity {id: f.entity})
  MERGE (f)-[:ABOUT]->(e)
}
RETURN count(f) AS moved
