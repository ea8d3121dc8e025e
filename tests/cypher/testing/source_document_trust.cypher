// The stored trust of the documents of some sources, by source and path.
UNWIND $sources AS source
MATCH (d:Document {source: source})
RETURN source, d.path AS path, d.status AS status, d.trust AS trust, d.trust_rows AS rows
ORDER BY source, path
