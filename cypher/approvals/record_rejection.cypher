// Record one rejection and the request's new state in the same write.
MATCH (cr:ChangeRequest {id: $id}), (u:User {id: $user})
CREATE (u)-[:REJECTED {at: $at, note: $note, stage: $stage, ordinal: $ordinal}]->(cr)
SET cr += $changes
RETURN cr.status AS status
