// Neo4j Browser, opened from the web app's provenance explorer: one fact with the entity it is
// about, the rows it was resolved from (those of the entity's rows among its `rows`) and each
// row's document and source.
MATCH (f:Fact {id: $node})
RETURN f,
       COLLECT {
         MATCH p = (f)-[:ABOUT]->(:Entity)<-[:DESCRIBES]-(r:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source)
         WHERE r.id IN f.rows
         RETURN p
       } AS evidence,
       COLLECT { MATCH p = (f)-[:ABOUT]->(:Entity) RETURN p } AS entities
