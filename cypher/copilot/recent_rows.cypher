// Co-pilot curated: per readable table, the rows created in the last $days days (what changed).
MATCH (r:Row)
WHERE r.table IN $tables AND ($table IS NULL OR r.table = $table)
  AND r.created_at >= datetime() - duration({days: $days})
RETURN r.table AS table, count(r) AS new_rows
ORDER BY new_rows DESC, table
