// Open value conflicts about some entities, with what a reconciliation needs.
UNWIND $entities AS entity_id
MATCH (k:Conflict {entity: entity_id})
WHERE k.status = 'open' AND k.kind = 'value'
RETURN k.id AS id, k.table AS table, k.entity AS entity, k.attribute AS attribute,
       k.score AS score, k.claims AS claims, k.fingerprint AS fingerprint
