// Add API read counts to rows (the usage signal): $counts is a list of [row id, reads].
UNWIND $counts AS count
MATCH (r:Row {id: count[0]})
SET r.reads = coalesce(r.reads, 0) + count[1]
RETURN count(r) AS rows
