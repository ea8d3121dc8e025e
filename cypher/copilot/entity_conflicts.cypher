// Co-pilot curated: the conflicts (any status) about one entity of a readable table.
MATCH (k:Conflict)
WHERE k.entity = $entity AND k.table IN $tables
RETURN k.id AS conflict, k.attribute AS attribute, k.kind AS kind, k.status AS status
ORDER BY k.id
