// Co-pilot curated: sources of rows in readable tables by trust, most trusted first.
MATCH (s:Source)<-[:FROM_SOURCE]-(:Document)<-[:EXTRACTED_FROM]-(r:Row)
WHERE r.table IN $tables AND s.trust IS NOT NULL
RETURN DISTINCT s.id AS source, s.trust AS trust
ORDER BY trust DESC, source
