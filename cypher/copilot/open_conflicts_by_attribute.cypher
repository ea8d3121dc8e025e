// Co-pilot curated: open conflicts of one readable table per attribute, most first.
MATCH (k:Conflict {status: 'open'})
WHERE k.table = $table AND k.table IN $tables
RETURN k.attribute AS attribute, k.kind AS kind, count(k) AS conflicts
ORDER BY conflicts DESC, attribute
