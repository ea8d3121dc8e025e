// One fact's shape in the graph: the row ids it lists, the entities it is ABOUT (one per
// edge) and how many edges of any type leave it.
MATCH (f:Fact {id: $id})
RETURN f.rows AS rows, [(f)-[:ABOUT]->(e:Entity) | e.id] AS about,
       COUNT { (f)-->() } AS edges
