// Co-pilot curated: how many active rows each readable table holds.
MATCH (r:Row)
WHERE r.table IN $tables AND r.status = 'active'
RETURN r.table AS table, count(r) AS rows
ORDER BY rows DESC, table
