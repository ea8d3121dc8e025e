// Documents aggregate the trust of their active rows: after a full pass the mean over all of
// them (`rows` counted), returning the previous values and the table for `trust.updated` events.
UNWIND $documents AS document
MATCH (d:Document {id: document.id})
WITH d, document, d.trust AS before
SET d.trust = document.trust, d.trust_rows = document.rows, d.trust_updated_at = datetime()
RETURN d.id AS id, before, d.trust AS after,
       COLLECT { MATCH (r:Row)-[:EXTRACTED_FROM]->(d) RETURN r.table LIMIT 1 }[0] AS table
