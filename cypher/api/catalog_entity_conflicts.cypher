// The ids of the conflicts about each entity (ABOUT), newest first.
UNWIND $ids AS id
MATCH (e:Entity {id: id})
RETURN id, COLLECT {
         MATCH (c:Conflict)-[:ABOUT]->(e)
         WITH c ORDER BY c.created_at DESC, c.id
         RETURN c.id
       } AS conflicts
