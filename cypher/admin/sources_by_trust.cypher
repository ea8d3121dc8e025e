// Scored sources that hold documents, with their trust and document count, least trusted
// first (a source of failed files only holds none).
MATCH (s:Source)
WHERE s.trust IS NOT NULL
WITH s, COUNT { (s)<-[:FROM_SOURCE]-(:Document) } AS documents
WHERE documents > 0
RETURN s.id AS id, s.trust AS trust, documents
ORDER BY trust, id
