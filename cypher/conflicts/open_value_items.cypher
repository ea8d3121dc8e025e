// The entity attributes that have an open value conflict: the ones a full trust pass brings
// to the confidences it resolves (`conflicts/refresh_open`); an incremental pass reads its
// entities' in `trust/pass_inputs`.
MATCH (k:Conflict)
WHERE k.status = 'open' AND k.kind = 'value'
RETURN k.entity AS entity, k.attribute AS attribute
