// Test clean-up: the comments on the nodes of $targets (and their replies).
MATCH (c:Comment)-[:ON]->(n)
WHERE n.id IN $targets
DETACH DELETE c
