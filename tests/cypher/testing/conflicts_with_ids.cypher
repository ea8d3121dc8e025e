// Test data: bare conflicts with the given ids, about one test entity.
UNWIND $ids AS conflict_id
MERGE (k:Conflict {id: conflict_id})
SET k.entity = $entity, k.status = 'open', k.kind = 'value', k.table = 'cities',
    k.attribute = 'population', k.score = 0.5
