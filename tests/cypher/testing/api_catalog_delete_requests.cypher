// Test clean-up: some change requests by id, with their comments.
MATCH (cr:ChangeRequest) WHERE cr.id IN $ids
OPTIONAL MATCH (c:Comment)-[:ON]->(cr)
DETACH DELETE c, cr
