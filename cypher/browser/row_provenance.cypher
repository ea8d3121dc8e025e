// Neo4j Browser, opened from the web app's provenance explorer: one row with the document
// versions it was extracted from and their sources, the entity it describes, the conflicts
// it takes part in, the facts resolved from it (through the entity: a fact lists its rows'
// ids) and the policies it violates.
MATCH (r:Row {id: $node})
RETURN r,
       COLLECT { MATCH p = (r)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source) RETURN p } AS origins,
       COLLECT { MATCH p = (r)-[:DESCRIBES]->(:Entity) RETURN p } AS entities,
       COLLECT { MATCH p = (r)<-[:INVOLVES]-(:Conflict) RETURN p } AS conflicts,
       COLLECT {
         MATCH p = (r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f:Fact) WHERE r.id IN f.rows RETURN p
       } AS facts,
       COLLECT { MATCH p = (r)-[:VIOLATES]->(:Policy) RETURN p } AS violations
