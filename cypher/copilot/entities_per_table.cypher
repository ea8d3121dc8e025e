// Co-pilot curated: how many distinct entities each readable table describes.
MATCH (e:Entity)
WHERE e.table IN $tables
RETURN e.table AS table, count(e) AS entities
ORDER BY entities DESC, table
