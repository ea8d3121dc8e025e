// Pin when a document was ingested (a test that ingests the same file twice compares trust,
// whose freshness counts from it).
MATCH (d:Document {id: $document_id})
SET d.ingested_at = $at
