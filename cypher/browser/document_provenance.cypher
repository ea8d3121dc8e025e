// Neo4j Browser, opened from the web app's provenance explorer: one document version with
// its source, the other versions of its file, the runs that wrote it and its first rows
// with the entities they describe.
MATCH (d:Document {id: $node})
RETURN d,
       COLLECT { MATCH p = (d)-[:FROM_SOURCE]->(:Source) RETURN p } AS sources,
       COLLECT { MATCH p = (d)-[:SUPERSEDES*1..5]-(:Document) RETURN p } AS versions,
       COLLECT { MATCH p = (d)-[:INGESTED_BY]->(:IngestionRun) RETURN p } AS runs,
       COLLECT {
         MATCH p = (d)<-[:EXTRACTED_FROM]-(:Row)-[:DESCRIBES]->(:Entity)
         RETURN p LIMIT 25
       } AS rows
