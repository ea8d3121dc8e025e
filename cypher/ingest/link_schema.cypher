// Phase 2: the table version the rows of a loading Document conform to.
MATCH (d:Document {id: $document_id})
MATCH (v:SchemaVersion {id: $schema_version})
MERGE (d)-[:CONFORMS_TO]->(v)
