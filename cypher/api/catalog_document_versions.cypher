// Every version of each document's file along the SUPERSEDES chain, both ways, oldest first,
// keeping those the caller may read (see `catalog_documents`).
UNWIND $ids AS id
MATCH (:Document {id: id})-[:SUPERSEDES*0..]-(v:Document)
WHERE v.status <> 'loading'
  AND (EXISTS { MATCH (v)-[:CONFORMS_TO]->(t:SchemaVersion) WHERE t.table IN $tables }
       OR ($rowless AND NOT EXISTS { MATCH (v)-[:CONFORMS_TO]->(:SchemaVersion) }))
WITH DISTINCT id, v ORDER BY v.version
RETURN id, collect(v {.*}) AS versions
