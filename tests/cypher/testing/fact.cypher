// One fact with the sources of the rows it was resolved from (those of its entity's rows that
// it lists), and how many rows those are.
MATCH (f:Fact {id: $id})
OPTIONAL MATCH (f)-[:ABOUT]->(:Entity)<-[:DESCRIBES]-(r:Row)-[:EXTRACTED_FROM]->(d:Document)
WHERE r.id IN f.rows
RETURN f {.*} AS fact, collect(DISTINCT d.source) AS sources, count(DISTINCT r) AS rows
