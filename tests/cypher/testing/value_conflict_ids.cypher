// Test read: the ids of every value conflict, whatever its status.
MATCH (k:Conflict {kind: 'value'})
RETURN k.id AS id
