// The entities a document's rows describe.
MATCH (:Document {id: $document_id})<-[:EXTRACTED_FROM]-(:Row)-[:DESCRIBES]->(e:Entity)
RETURN DISTINCT e.id AS id
