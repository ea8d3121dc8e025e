// Phase 2: one batch of rows of a loading Document, with provenance, entity and schema links.
// A row already known (same source, path, table, key and values) keeps its identity and
// gains an EXTRACTED_FROM edge to the new version; new rows stay `pending` until activation.
MATCH (d:Document {id: $document_id})
MATCH (v:SchemaVersion {id: $schema_version})
UNWIND $rows AS row
MERGE (r:Row {id: row.id})
  ON CREATE SET r.table = $table, r.key = row.key, r.values = row.values, r.sha256 = row.sha256,
                r.trust = $initial_trust, r.status = 'pending', r.created_at = datetime()
MERGE (r)-[e:EXTRACTED_FROM]->(d)
  ON CREATE SET e.locator = row.locator
MERGE (entity:Entity {id: row.entity_id})
  ON CREATE SET entity.table = $table, entity.key = row.key
MERGE (r)-[:DESCRIBES]->(entity)
MERGE (r)-[:CONFORMS_TO]->(v)
