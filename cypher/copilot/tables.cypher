// Co-pilot curated: the readable tables and their fields.
MATCH (s:Schema)
WHERE s.name IN $tables
RETURN s.name AS table
ORDER BY table
