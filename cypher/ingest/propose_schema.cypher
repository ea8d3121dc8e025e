// A file whose rows fit no table: a ChangeRequest proposes the inferred table definition and
// targets the Document, so nothing is guessed silently. Idempotent per proposal.
MATCH (d:Document {id: $document_id})
MERGE (cr:ChangeRequest {id: $request.id})
  ON CREATE SET cr += $request, cr.status = 'open', cr.created_at = datetime()
MERGE (cr)-[:TARGETS]->(d)
RETURN cr.id AS id, cr.status AS status
