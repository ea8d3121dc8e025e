// The tables one document's rows belong to.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {id: $document_id})
RETURN DISTINCT r.table AS table
