// The entity attributes that have an open value conflict (of `$entities` only, unless null):
// the ones a trust pass brings to the confidences it resolves (`conflicts/refresh_open`).
MATCH (k:Conflict)
WHERE k.status = 'open' AND k.kind = 'value' AND ($entities IS NULL OR k.entity IN $entities)
RETURN k.entity AS entity, k.attribute AS attribute
