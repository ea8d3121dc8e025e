// A page of the change requests a caller may read, newest first (created_at, then id,
// descending), after the cursor ($after_at, $after_id) when given. $scopes lists what the
// caller reads: {workspace, tables}, tables null for the whole workspace, else only requests
// about one of those tables (the request's table, else its target's). A request in no
// workspace belongs to $default. Status, workspace and kind filters are each optional.
MATCH (cr:ChangeRequest)
WHERE ($status IS NULL OR cr.status = $status)
  AND ($kind IS NULL OR cr.kind = $kind)
  AND ($workspace IS NULL OR coalesce(cr.workspace, $default) = $workspace)
  AND ($after_at IS NULL
       OR cr.created_at < $after_at
       OR (cr.created_at = $after_at AND cr.id < $after_id))
WITH cr, coalesce(cr.table, COLLECT {
       MATCH (cr)-[:TARGETS]->(t)
       RETURN CASE WHEN t:Schema THEN t.name ELSE t.table END
     }[0]) AS table
WHERE any(scope IN $scopes
          WHERE scope.workspace = coalesce(cr.workspace, $default)
            AND (scope.tables IS NULL OR table IN scope.tables))
WITH cr ORDER BY cr.created_at DESC, cr.id DESC LIMIT $limit
RETURN cr {.*} AS request,
       COLLECT {
         MATCH (u:User)-[a:APPROVED]->(cr)
         RETURN {user: u.id, at: a.at, note: a.note, stage: a.stage} AS vote
         ORDER BY a.at, a.ordinal
       } AS approvals,
       COLLECT {
         MATCH (u:User)-[r:REJECTED]->(cr)
         RETURN {user: u.id, at: r.at, note: r.note, stage: r.stage} AS vote
         ORDER BY r.at, r.ordinal
       } AS rejections,
       COLLECT { MATCH (cr)-[:TARGETS]->(t) RETURN coalesce(t.id, t.name) AS target } AS targets
