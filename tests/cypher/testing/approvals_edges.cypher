// Test check: the approval edges of one change request, and the comments' edges.
MATCH (cr:ChangeRequest {id: $id})
RETURN COLLECT { MATCH (u:User)-[:REQUESTED]->(cr) RETURN u.id } AS requested_by,
       COLLECT { MATCH (u:User)-[:APPROVED]->(cr) RETURN u.id } AS approved_by,
       COLLECT { MATCH (cr)-[:TARGETS]->(t) RETURN coalesce(t.id, t.name) } AS targets,
       COLLECT { MATCH (cr)-[:IN_WORKSPACE]->(w:Workspace) RETURN w.id } AS workspaces,
       COLLECT { MATCH (u:User)-[:WROTE]->(c:Comment)-[:ON]->(cr) RETURN u.id } AS comment_authors
