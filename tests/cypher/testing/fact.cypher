// One fact with the sources of the rows it was resolved from, and how many rows those are.
MATCH (f:Fact {id: $id})
OPTIONAL MATCH (f)-[:RESOLVED_FROM]->(r:Row)-[:EXTRACTED_FROM]->(d:Document)
RETURN f {.*} AS fact, collect(DISTINCT d.source) AS sources, count(DISTINCT r) AS rows
