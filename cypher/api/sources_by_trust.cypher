// One page of the sources a caller may see, most trusted first (keyset on (trust desc, id):
// sources after $after_trust, $after_id). A source's tables are the keys of its trust parts
// (`Source.trust_parts`, JSON, written by every trust pass); it is visible through those of
// $tables (the caller's readable tables), optionally only through $table, and at least
// $min_trust when given. Sources no trust pass reached have no parts and are not listed.
MATCH (s:Source)
WHERE s.trust IS NOT NULL AND s.trust_parts IS NOT NULL
  AND ($min_trust IS NULL OR s.trust >= $min_trust)
  AND ($after_trust IS NULL OR s.trust < $after_trust
       OR (s.trust = $after_trust AND s.id > $after_id))
WITH s, [t IN keys(apoc.convert.fromJsonMap(s.trust_parts)) WHERE t IN $tables] AS tables
WHERE size(tables) > 0 AND ($table IS NULL OR $table IN tables)
RETURN s.id AS id, s.trust AS trust
ORDER BY trust DESC, id
LIMIT $limit
