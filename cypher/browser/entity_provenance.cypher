// Neo4j Browser, opened by `grace browser ENTITY`: one entity with the rows that describe it,
// the document versions they were extracted from and their sources, its conflicts, and the
// facts about it (resolved from its rows). Paths, so that Browser draws them as a graph.
MATCH (e:Entity {id: $entity})
OPTIONAL MATCH origin = (e)<-[:DESCRIBES]-(:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source)
OPTIONAL MATCH conflict = (e)<-[:ABOUT]-(:Conflict)
OPTIONAL MATCH fact = (e)<-[:ABOUT]-(:Fact)
RETURN e, collect(DISTINCT origin) AS origins, collect(DISTINCT conflict) AS conflicts,
       collect(DISTINCT fact) AS facts
