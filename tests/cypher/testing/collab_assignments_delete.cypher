// Test clean-up: the assignments of the nodes of $nodes.
MATCH (a:Assignment)
WHERE a.node IN $nodes
DETACH DELETE a
