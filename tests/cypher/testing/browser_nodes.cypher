// The provenance nodes around one entity, as Neo4j Browser would draw them: label, properties.
MATCH (e:Entity {id: $entity})<-[:DESCRIBES]-(r:Row)-[:EXTRACTED_FROM]->(d:Document)
MATCH (d)-[:FROM_SOURCE]->(s:Source)
OPTIONAL MATCH (k:Conflict)-[:ABOUT]->(e)
UNWIND [e, r, d, s, k] AS n
WITH DISTINCT n
WHERE n IS NOT NULL
RETURN labels(n)[0] AS label, properties(n) AS properties
