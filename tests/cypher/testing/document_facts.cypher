// The facts resolved from one document's rows, and the trust of those rows.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {id: $document_id})
OPTIONAL MATCH (r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f:Fact)
WHERE r.id IN f.rows
RETURN count(DISTINCT f) AS facts, collect(DISTINCT round(r.trust, 6)) AS trust
