// Change a request's properties if it is still in status `$from` (check-and-set);
// no row when it is not.
MATCH (cr:ChangeRequest {id: $id})
WHERE cr.status = $from
SET cr += $changes
RETURN cr.status AS status
