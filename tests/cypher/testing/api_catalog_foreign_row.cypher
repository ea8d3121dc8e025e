// Test data: a row of another table extracted from a document and describing an entity that
// belong to a table the row's readers may not share (to prove nested lists filter by table).
MATCH (d:Document {id: $document_id})
MATCH (e:Entity {id: $entity_id})
CREATE (r:Row {id: $row.id, table: $row.table, key: $row.key, values: $row.values,
               sha256: $row.id, trust: 0.5, status: 'active'})
CREATE (r)-[:EXTRACTED_FROM {locator: 'line 99'}]->(d)
CREATE (r)-[:DESCRIBES]->(e)
