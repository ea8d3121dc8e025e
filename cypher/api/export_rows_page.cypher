// One page of a table's rows for an export: rows with one of $statuses after the id $after,
// in id order, at most $limit of them. Ordering by (table, id) lets the planner read the
// page straight from the (table, id) index in order, with no sort: every page costs the
// same however deep into the table it is.
MATCH (r:Row)
WHERE r.table = $table AND r.id > $after AND r.status IN $statuses
WITH r
ORDER BY r.table, r.id
LIMIT $limit
RETURN r.id AS id, r.key AS key, r.trust AS trust, r.status AS status, r.values AS values
