// The reads of the test rows of usage counting.
MATCH (r:Row) WHERE r.id IN $ids
RETURN r.id AS id, coalesce(r.reads, 0) AS reads
ORDER BY id
