// Co-pilot curated: the rows describing one entity with where each came from (provenance).
MATCH (e:Entity {id: $entity})<-[:DESCRIBES]-(r:Row)-[:EXTRACTED_FROM]->(d:Document)
      -[:FROM_SOURCE]->(s:Source)
WHERE e.table IN $tables AND r.status = 'active'
RETURN DISTINCT r.id AS row, s.id AS source, d.path AS document, r.trust AS trust
ORDER BY row, document
