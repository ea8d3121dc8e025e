// Scored sources that hold documents, with their trust, document count and whether a full
// pass estimated the trust (else it is the starting one), least trusted first (a source of
// failed files only holds no document).
MATCH (s:Source)
WHERE s.trust IS NOT NULL
WITH s, COUNT { (s)<-[:FROM_SOURCE]-(:Document) } AS documents
WHERE documents > 0
RETURN s.id AS id, s.trust AS trust, documents, s.trust_updated_at IS NOT NULL AS estimated
ORDER BY trust, id
