// After an incremental pass: a document's mean trust moves by the change of its rows that
// were rescored (`delta`: new minus stored trust, summed) and takes in its rows scored for
// the first time (`added` of them, their trust in `delta`). Rows that left (quarantined)
// stay counted until the next full pass recomputes every document.
UNWIND $documents AS document
MATCH (d:Document {id: document.id})
WITH d, document, d.trust AS before, coalesce(d.trust_rows, 0) AS counted
WITH d, before, counted + document.added AS rows,
     coalesce(d.trust, 0.0) * counted + document.delta AS total
WHERE rows > 0
SET d.trust = total / rows, d.trust_rows = rows, d.trust_updated_at = datetime()
RETURN d.id AS id, before, d.trust AS after,
       COLLECT { MATCH (r:Row)-[:EXTRACTED_FROM]->(d) RETURN r.table LIMIT 1 }[0] AS table
