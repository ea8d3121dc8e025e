// Documents by id that the caller may read (see `catalog_documents`).
UNWIND $ids AS id
MATCH (d:Document {id: id})
WHERE d.status <> 'loading'
  AND (EXISTS { MATCH (d)-[:CONFORMS_TO]->(t:SchemaVersion) WHERE t.table IN $tables }
       OR ($rowless AND NOT EXISTS { MATCH (d)-[:CONFORMS_TO]->(:SchemaVersion) }))
RETURN d {.*} AS document
