// Benchmark tear-down: the documents, runs and node of one source (rows go first, in batches).
MATCH (s:Source {id: $source})
OPTIONAL MATCH (d:Document)-[:FROM_SOURCE]->(s)
OPTIONAL MATCH (run:IngestionRun {source: $source})
DETACH DELETE d, run, s
