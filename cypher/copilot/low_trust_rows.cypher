// Co-pilot curated: the least trusted active rows of one readable table.
MATCH (r:Row)
WHERE r.table = $table AND r.table IN $tables AND r.status = 'active'
RETURN r.id AS row, r.key AS key, r.trust AS trust
ORDER BY trust, row
LIMIT $limit
