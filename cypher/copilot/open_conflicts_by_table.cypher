// Co-pilot curated: open conflicts per readable table, most first.
MATCH (k:Conflict {status: 'open'})
WHERE k.table IN $tables
RETURN k.table AS table, count(k) AS conflicts
ORDER BY conflicts DESC, table
