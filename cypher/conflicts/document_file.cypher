// The file (source and path) a document is one version of.
MATCH (d:Document {id: $document_id})
RETURN d.source AS source, d.path AS path
