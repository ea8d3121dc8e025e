// Record one approval and the request's new state (status, stage, expiry) in the same write.
MATCH (cr:ChangeRequest {id: $id}), (u:User {id: $user})
CREATE (u)-[:APPROVED {at: $at, note: $note, stage: $stage, ordinal: $ordinal}]->(cr)
SET cr += $changes
RETURN cr.status AS status
