// Documents aggregate the trust of their active rows.
UNWIND $documents AS document_id
MATCH (d:Document {id: document_id})<-[:EXTRACTED_FROM]-(r:Row {status: 'active'})
WITH d, avg(r.trust) AS trust, d.trust AS before
SET d.trust = trust, d.trust_updated_at = datetime()
RETURN d.id AS id, before, trust AS after
