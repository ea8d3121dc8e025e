// The file a document is one version of: its path below the watched root and its source.
MATCH (d:Document {id: $id})-[:FROM_SOURCE]->(s:Source)
RETURN d.path AS path, s.id AS source, s.kind AS kind, s.location AS location
