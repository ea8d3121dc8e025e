// Benchmark set-up for the API benchmarks: rows of table $table extracted from one document,
// created directly (ingestion is measured elsewhere).
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
CREATE (r:Row {id: row.id, table: $table, key: row.key, values: row.values, sha256: row.id,
               status: row.status, trust: row.trust, created_at: datetime()})
CREATE (r)-[:EXTRACTED_FROM {locator: row.locator}]->(d)
