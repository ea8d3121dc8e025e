// Co-pilot curated: how many active rows one readable table holds.
MATCH (r:Row)
WHERE r.table = $table AND r.table IN $tables AND r.status = 'active'
RETURN r.table AS table, count(r) AS rows
