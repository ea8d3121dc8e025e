// Change requests targeting the documents of one source.
MATCH (cr:ChangeRequest)-[:TARGETS]->(d:Document {source: $source})
RETURN cr {.*} AS request, d.path AS path
