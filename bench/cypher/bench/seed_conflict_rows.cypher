// Benchmark set-up: active rows of one source's active document in any table, with their
// entities, created directly (ingestion is measured elsewhere).
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
MERGE (e:Entity {id: row.entity_id})
  ON CREATE SET e.table = row.table, e.key = row.key
CREATE (r:Row {id: row.id, table: row.table, key: row.key, values: row.values,
               sha256: row.id, status: 'active', trust: 0.5})
CREATE (r)-[:EXTRACTED_FROM {locator: 'bench'}]->(d)
CREATE (r)-[:DESCRIBES]->(e)
