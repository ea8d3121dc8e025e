// Co-pilot curated: the active documents of one source holding rows of readable tables.
MATCH (s:Source {id: $source})<-[:FROM_SOURCE]-(d:Document {status: 'active'})
WHERE EXISTS { MATCH (d)-[:CONFORMS_TO]->(v:SchemaVersion) WHERE v.table IN $tables }
RETURN d.path AS document, d.version AS version
ORDER BY document
