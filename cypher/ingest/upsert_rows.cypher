// Phase 2: one batch of rows of a loading Document, with provenance and entity links. Each
// row id appears once in a batch (`GraphLoader.load_rows` sends repeats in a later batch).
// A new row is created whole, with its two edges (a CREATE: no search for an edge a new node
// cannot have yet); its entity is merged, since other files describe it too. A row already
// known (same source, path, table, key and values) keeps its identity and gains an
// EXTRACTED_FROM edge to the new version. New rows stay `pending` until activation.
// Encrypted fields carry tokens in `values` and keyed hashes in `value_hashes`.
// The table version the rows conform to is an edge from their Document (`link_schema`) only:
// an edge from every row would make the SchemaVersion a node every ingestion waits to lock,
// and nothing read a copy of it on every row.
// Where to find the row, `path` and `locator` ("line 3", "$[2]"), are on the Row too, for the
// people reading it in Neo4j Browser: the locator of the newest version it came from (the
// edge keeps each version's own).
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
OPTIONAL MATCH (known:Row {id: row.id})
CALL (d, row, known) {
  WITH * WHERE known IS NULL
  MERGE (entity:Entity {id: row.entity_id})
    ON CREATE SET entity.table = $table, entity.key = row.key
  CREATE (r:Row {id: row.id, table: $table, key: row.key, values: row.values,
                 sha256: row.sha256, value_hashes: row.hashes, trust: $initial_trust,
                 status: 'pending', created_at: datetime(), path: d.path,
                 locator: row.locator})
  CREATE (r)-[:EXTRACTED_FROM {locator: row.locator}]->(d)
  CREATE (r)-[:DESCRIBES]->(entity)
}
CALL (d, row, known) {
  WITH * WHERE known IS NOT NULL
  SET known.locator = row.locator
  MERGE (known)-[e:EXTRACTED_FROM]->(d)
    ON CREATE SET e.locator = row.locator
}
