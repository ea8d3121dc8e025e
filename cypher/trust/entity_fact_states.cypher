// The active or candidate facts of some entities, like `fact_states`.
UNWIND $entities AS entity_id
MATCH (f:Fact {entity: entity_id})
WHERE f.status IN ['active', 'candidate']
RETURN collect([f.id, f.digest, f.confidence]) AS facts
