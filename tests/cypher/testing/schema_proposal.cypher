// The versions of a table and the change requests that name it (the co-pilot's schema
// proposals: stored as proposed, decided by a request, never applied directly).
OPTIONAL MATCH (s:Schema {name: $table})-[:HAS_VERSION]->(v:SchemaVersion)
WITH collect(v.status) AS statuses
OPTIONAL MATCH (cr:ChangeRequest {table: $table})
RETURN statuses, collect(cr {.id, .status, .kind, .requested_by}) AS requests
