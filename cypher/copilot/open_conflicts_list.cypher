// Co-pilot curated: the open conflicts of the readable tables, with their entity and attribute,
// and the conflicts of no table (between texts) for callers who read the whole workspace.
MATCH (k:Conflict {status: 'open'})
WHERE k.table IN $tables OR (k.table IS NULL AND $whole_workspace)
RETURN k.id AS conflict, k.table AS table, k.entity AS entity, k.attribute AS attribute,
       k.kind AS kind
ORDER BY k.id
LIMIT $limit
