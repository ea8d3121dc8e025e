// Some change requests by id, each with its approvals, rejections and targets (unknown ids
// return nothing).
UNWIND $ids AS id
MATCH (cr:ChangeRequest {id: id})
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
