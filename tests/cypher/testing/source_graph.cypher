// What one source holds, for comparing graphs: documents, rows by status, edges.
OPTIONAL MATCH (s:Source {id: $source})
OPTIONAL MATCH (d:Document)-[:FROM_SOURCE]->(s)
WITH s, collect(d {.id, .version, .status, .sha256}) AS documents
OPTIONAL MATCH (r:Row)-[e:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(s)
WITH s, documents, r, collect(e.locator) AS locators
ORDER BY r.id
WITH s, documents,
     collect(r {.id, .key, .status, .values, .table, .path, .locator}) AS rows,
     sum(size(locators)) AS provenance
OPTIONAL MATCH (run:IngestionRun {source: $source})
RETURN documents, rows, provenance,
       collect(run {.status, .error_code, .path}) AS runs
