// The rows of one document, with their stored values and keyed hashes.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {id: $document_id})
RETURN r.id AS id, r.values AS values, r.value_hashes AS hashes, r.status AS status
ORDER BY r.key
