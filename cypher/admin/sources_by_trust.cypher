// Scored sources with their trust and document count, least trusted first.
MATCH (s:Source)
WHERE s.trust IS NOT NULL
RETURN s.id AS id, s.trust AS trust, COUNT { (s)<-[:FROM_SOURCE]-(:Document) } AS documents
ORDER BY trust, id
