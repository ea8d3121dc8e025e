// The ids of the facts resolved for each entity.
UNWIND $ids AS id
MATCH (f:Fact {entity: id})
WITH id, f ORDER BY f.id
RETURN id, collect(f.id) AS facts
