// Test clean-up: everything one source brought in (documents, rows, chunks, runs, requests).
MATCH (s:Source {id: $source})
OPTIONAL MATCH (d:Document)-[:FROM_SOURCE]->(s)
OPTIONAL MATCH (r:Row)-[:EXTRACTED_FROM]->(d)
OPTIONAL MATCH (d)-[:HAS_CHUNK]->(c:Chunk)
OPTIONAL MATCH (cr:ChangeRequest)-[:TARGETS]->(d)
OPTIONAL MATCH (run:IngestionRun {source: $source})
DETACH DELETE r, c, cr, d, run, s
WITH count(*) AS done
MATCH (e:Entity) WHERE NOT (e)<-[:DESCRIBES]-()
DELETE e
