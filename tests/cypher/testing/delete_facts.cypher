// Test clean-up: the facts about some entities.
UNWIND $entities AS entity_id
MATCH (f:Fact {entity: entity_id})
DETACH DELETE f
