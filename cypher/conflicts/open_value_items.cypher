// The entity attributes that have an open value conflict: the ones a full trust pass brings
// to the confidences it resolves (`conflicts/refresh_open`).
MATCH (k:Conflict)
WHERE k.status = 'open' AND k.kind = 'value'
RETURN k.entity AS entity, k.attribute AS attribute
