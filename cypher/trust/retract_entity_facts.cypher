// After an incremental update with facts: facts of the updated entities that it did not
// write again (their rows left, were quarantined or rejected) are retracted.
UNWIND $entities AS entity_id
MATCH (f:Fact {entity: entity_id})
WHERE f.status IN ['active', 'candidate'] AND f.resolved_at < $started_at
SET f.status = 'retracted', f.retracted_at = datetime()
RETURN count(f) AS retracted
