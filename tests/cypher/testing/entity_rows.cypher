// The rows of active documents that describe some entities, with their source and trust.
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row)-[:EXTRACTED_FROM]->(d:Document {status: 'active'})
RETURN entity_id AS entity, r.id AS id, d.source AS source, r.trust AS trust, r.status AS status
