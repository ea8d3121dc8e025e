// Co-pilot curated: the open conflicts of the readable tables, with their entity and attribute.
MATCH (k:Conflict {status: 'open'})
WHERE k.table IN $tables
RETURN k.id AS conflict, k.table AS table, k.entity AS entity, k.attribute AS attribute,
       k.kind AS kind
ORDER BY k.id
LIMIT $limit
