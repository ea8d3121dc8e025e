// A store from before rows and sources carried what Browser shows: one source's name and its
// rows' path and locator removed.
MATCH (s:Source {id: $source})
REMOVE s.name
WITH s
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document)-[:FROM_SOURCE]->(s)
REMOVE r.path, r.locator
RETURN count(DISTINCT r) AS rows
