// One fact with the sources of the rows it was resolved from.
MATCH (f:Fact {id: $id})
OPTIONAL MATCH (f)-[:RESOLVED_FROM]->(:Row)-[:EXTRACTED_FROM]->(d:Document)
RETURN f {.*} AS fact, collect(DISTINCT d.source) AS sources
