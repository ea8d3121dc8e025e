// Where each row of one source says it is, and its source's name.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(s:Source {id: $source})
RETURN DISTINCT s.name AS source, r.key AS key, r.path AS path, r.locator AS locator
ORDER BY key
