// Phase 2: one batch of rows of a loading Document, with provenance and entity links.
// A row already known (same source, path, table, key and values) keeps its identity and
// gains an EXTRACTED_FROM edge to the new version; new rows stay `pending` until activation.
// Encrypted fields carry tokens in `values` and keyed hashes in `value_hashes`.
// The table version the rows conform to is an edge from their Document (`link_schema`) only:
// an edge from every row would make the SchemaVersion a node every ingestion waits to lock,
// and nothing read a copy of it on every row.
// Where to find the row, `path` and `locator` ("line 3", "$[2]"), are on the Row too, for the
// people reading it in Neo4j Browser: the locator of the newest version it came from (the
// edge keeps each version's own).
MATCH (d:Document {id: $document_id})
UNWIND $rows AS row
MERGE (r:Row {id: row.id})
  ON CREATE SET r.table = $table, r.key = row.key, r.values = row.values, r.sha256 = row.sha256,
                r.value_hashes = row.hashes, r.trust = $initial_trust,
                r.status = 'pending', r.created_at = datetime(), r.path = d.path
SET r.locator = row.locator
MERGE (r)-[e:EXTRACTED_FROM]->(d)
  ON CREATE SET e.locator = row.locator
MERGE (entity:Entity {id: row.entity_id})
  ON CREATE SET entity.table = $table, entity.key = row.key
MERGE (r)-[:DESCRIBES]->(entity)
