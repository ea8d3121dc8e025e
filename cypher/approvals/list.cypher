// Change requests by status and kind (each filter optional), newest first, with their
// approvals, rejections and target.
MATCH (cr:ChangeRequest)
WHERE ($status IS NULL OR cr.status = $status)
  AND ($kind IS NULL OR cr.kind = $kind)
WITH cr ORDER BY cr.created_at DESC, cr.id LIMIT $limit
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
