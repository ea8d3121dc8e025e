// Remove the test rows of usage counting.
MATCH (r:Row) WHERE r.id IN $ids
DETACH DELETE r
