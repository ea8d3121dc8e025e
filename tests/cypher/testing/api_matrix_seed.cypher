// The authorization matrix's seed: the rows of some entities with their documents and sources.
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row)-[:EXTRACTED_FROM]->(d:Document)
RETURN entity_id AS entity, r.table AS table, r.key AS key, r.id AS row,
       d.id AS document, d.path AS path, d.source AS source
ORDER BY d.source, r.id
