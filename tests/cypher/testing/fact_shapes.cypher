// Facts' shapes in the graph, by id: the row ids each lists, the entities it is ABOUT (one
// per edge) and how many edges of any type leave it.
UNWIND $ids AS fact_id
MATCH (f:Fact {id: fact_id})
RETURN f.id AS id, f.rows AS rows, [(f)-[:ABOUT]->(e:Entity) | e.id] AS about,
       COUNT { (f)-->() } AS edges
ORDER BY id
