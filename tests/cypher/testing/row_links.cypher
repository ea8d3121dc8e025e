// The links of one row: its entity, documents and the table versions they conform to.
MATCH (r:Row {id: $row_id})
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
OPTIONAL MATCH (r)-[x:EXTRACTED_FROM]->(d:Document)
OPTIONAL MATCH (d)-[:CONFORMS_TO]->(v:SchemaVersion)
RETURN e.id AS entity, collect(DISTINCT v.table) AS tables, collect(DISTINCT v.id) AS schema_versions,
       collect(DISTINCT d.version) AS versions, collect(DISTINCT x.locator) AS locators
