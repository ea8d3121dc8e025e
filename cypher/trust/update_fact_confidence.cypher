// Facts whose value, evidence and rows are unchanged but whose confidence moved.
UNWIND $facts AS fact
MATCH (f:Fact {id: fact.id})
SET f.confidence = fact.confidence, f.resolved_at = datetime()
