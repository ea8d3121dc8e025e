// Neo4j Browser, opened from the web app's provenance explorer: one fact with the rows it was
// resolved from, the entity they describe and each row's document and source.
MATCH (f:Fact {id: $node})
RETURN f,
       COLLECT {
         MATCH p = (f)-[:RESOLVED_FROM]->(:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source)
         RETURN p
       } AS evidence,
       COLLECT { MATCH p = (f)-[:RESOLVED_FROM]->(:Row)-[:DESCRIBES]->(:Entity) RETURN p } AS entities
