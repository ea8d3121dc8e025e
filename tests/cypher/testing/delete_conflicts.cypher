// Test clean-up: the conflicts about some entities (their CONTRADICTS edges go with the rows).
UNWIND $entities AS entity_id
MATCH (k:Conflict {entity: entity_id})
DETACH DELETE k
