// One page of the sources a caller may see, by id (keyset: ids after $after). Visibility and
// filters as in `api/sources_by_trust`: through the caller's readable $tables among the keys
// of the source's trust parts, optionally only $table, at least $min_trust when given.
MATCH (s:Source)
WHERE s.trust IS NOT NULL AND s.trust_parts IS NOT NULL AND s.id > $after
  AND ($min_trust IS NULL OR s.trust >= $min_trust)
WITH s, [t IN keys(apoc.convert.fromJsonMap(s.trust_parts)) WHERE t IN $tables] AS tables
WHERE size(tables) > 0 AND ($table IS NULL OR $table IN tables)
RETURN s.id AS id, s.trust AS trust
ORDER BY id
LIMIT $limit
