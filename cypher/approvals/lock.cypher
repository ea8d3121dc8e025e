// Take the write lock on one change request for the rest of the transaction, so the checks
// and changes of concurrent decisions on it run one after the other. Nothing is left changed.
MATCH (cr:ChangeRequest {id: $id})
SET cr._lock = true
REMOVE cr._lock
RETURN cr.id AS id
