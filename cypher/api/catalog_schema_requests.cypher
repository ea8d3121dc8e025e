// The change requests that put a table version in force, with their approval count.
MATCH (cr:ChangeRequest {kind: 'schema'})
RETURN cr.id AS id, cr.status AS status, cr.required AS required, cr.payload AS payload,
       COUNT { MATCH (:User)-[:APPROVED]->(cr) } AS approvals
ORDER BY cr.created_at
