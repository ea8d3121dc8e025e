// Every active document with its source, ingestion time and number of rows (its degree: rows
// of every status, read in O(1)), so that `documents_claims` can read their rows in pages.
MATCH (d:Document {status: 'active'})-[:FROM_SOURCE]->(s:Source)
RETURN collect([d.id, s.id, d.ingested_at.epochMillis, COUNT { (d)<-[:EXTRACTED_FROM]-() }])
       AS documents
