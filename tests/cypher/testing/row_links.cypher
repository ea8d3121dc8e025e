// The links of one row: its entity, schema version and documents.
MATCH (r:Row {id: $row_id})
OPTIONAL MATCH (r)-[:DESCRIBES]->(e:Entity)
OPTIONAL MATCH (r)-[x:EXTRACTED_FROM]->(d:Document)
OPTIONAL MATCH (d)-[:CONFORMS_TO]->(v:SchemaVersion)
RETURN e.id AS entity, collect(DISTINCT v.table) AS tables, r.schema_version AS schema_version,
       collect(DISTINCT d.version) AS versions, collect(DISTINCT x.locator) AS locators
