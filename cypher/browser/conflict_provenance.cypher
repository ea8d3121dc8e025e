// Neo4j Browser, opened from the web app's provenance explorer: one conflict with the entity
// it is about and the rows it involves, each with its document and source.
MATCH (c:Conflict {id: $node})
RETURN c,
       COLLECT { MATCH p = (c)-[:ABOUT]->() RETURN p } AS about,
       COLLECT {
         MATCH p = (c)-[:INVOLVES]->(:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(:Source)
         RETURN p
       } AS evidence
