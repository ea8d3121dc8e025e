// Test clean-up: facts, entities and rows by id.
MATCH (n)
WHERE (n:Fact OR n:Entity OR n:Row) AND n.id IN $ids
DETACH DELETE n
