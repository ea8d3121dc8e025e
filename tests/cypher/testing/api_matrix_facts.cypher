// The authorization matrix's seed: the facts resolved about some entities.
UNWIND $entities AS entity_id
MATCH (f:Fact {entity: entity_id})
RETURN entity_id AS entity, f.id AS fact, f.attribute AS attribute
ORDER BY f.id
