// One page of documents by id (keyset: ids after $after), each filter optional, keeping those
// the caller may read: whose rows conform to a table in $tables (every document with rows
// has one CONFORMS_TO edge, one hop where its rows may be thousands), or, when $rowless,
// without rows (text).
MATCH (d:Document)
WHERE d.id > $after AND d.status <> 'loading'
  AND ($source IS NULL OR d.source = $source)
  AND ($status IS NULL OR d.status = $status)
  AND ($path_contains IS NULL OR d.path CONTAINS $path_contains)
  AND (EXISTS { MATCH (d)-[:CONFORMS_TO]->(t:SchemaVersion) WHERE t.table IN $tables }
       OR ($rowless AND NOT EXISTS { MATCH (d)-[:CONFORMS_TO]->(:SchemaVersion) }))
RETURN d {.*} AS document
ORDER BY d.id
LIMIT $limit
