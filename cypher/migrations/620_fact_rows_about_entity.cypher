// Facts keep the ids of the rows they were resolved from in `rows` and one edge, ABOUT their
// entity, instead of a RESOLVED_FROM edge to each row (`trust/write_facts`, where the edges
// were most of the write). Each stored fact without `rows` gets the ids its edges reach and
// its ABOUT edge, and loses the edges; facts already moved are left alone, so the statement
// can run again.
MATCH (f:Fact)
WHERE f.rows IS NULL
CALL (f) {
  OPTIONAL MATCH (f)-[edge:RESOLVED_FROM]->(r:Row)
  WITH edge, r.id AS id ORDER BY id
  DELETE edge
  RETURN collect(id) AS rows
}
SET f.rows = rows
WITH f
MATCH (e:Entity {id: f.entity})
MERGE (f)-[:ABOUT]->(e)
