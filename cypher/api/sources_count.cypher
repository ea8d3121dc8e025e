// How many sources `api/sources_by_id` and `api/sources_by_trust` list over all their pages
// (same visibility and filters).
MATCH (s:Source)
WHERE s.trust IS NOT NULL AND s.trust_parts IS NOT NULL
  AND ($min_trust IS NULL OR s.trust >= $min_trust)
WITH s, [t IN keys(apoc.convert.fromJsonMap(s.trust_parts)) WHERE t IN $tables] AS tables
WHERE size(tables) > 0 AND ($table IS NULL OR $table IN tables)
RETURN count(s) AS total
