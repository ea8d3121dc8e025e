// Neo4j Browser, opened from the web app's provenance explorer: one source with its newest
// documents and the sources it copies or that copy it (COPIES, from the full trust pass).
MATCH (s:Source {id: $node})
RETURN s,
       COLLECT {
         MATCH p = (s)<-[:FROM_SOURCE]-(d:Document)
         RETURN p ORDER BY d.ingested_at DESC LIMIT 25
       } AS documents,
       COLLECT { MATCH p = (s)-[:COPIES]-(:Source) RETURN p } AS copies
