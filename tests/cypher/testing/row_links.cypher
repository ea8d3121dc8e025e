// The links of one row: its entity, schema version and documents.
MATCH (r:Row {id: $row_id})
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
OPTIONAL MATCH (r)-[:CONFORMS_TO]->(v:SchemaVersion)
OPTIONAL MATCH (r)-[x:EXTRACTED_FROM]->(d:Document)
RETURN e.id AS entity, v.table AS table, collect(DISTINCT d.version) AS versions,
       collect(DISTINCT x.locator) AS locators
