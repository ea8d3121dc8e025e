// Co-pilot curated: the sources whose rows of readable tables are in the most open conflicts,
// per table: which sources disagree most.
MATCH (k:Conflict {status: 'open'})-[:INVOLVES]->(r:Row)-[:EXTRACTED_FROM]->(:Document)
      -[:FROM_SOURCE]->(s:Source)
WHERE k.table IN $tables AND ($table IS NULL OR k.table = $table)
RETURN s.id AS source, count(DISTINCT k) AS conflicts
ORDER BY conflicts DESC, source
