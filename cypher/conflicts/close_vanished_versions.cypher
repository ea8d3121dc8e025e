// Open version conflicts a scan no longer found: one version is active again. With $entity
// set, only that file's conflict is considered (the incremental scan).
MATCH (k:Conflict {status: 'open'})
WHERE k.kind = 'version' AND k.seen_at < $seen_at AND ($entity IS NULL OR k.entity = $entity)
SET k.status = 'resolved', k.resolved_at = datetime(), k.resolved_by = 'system:detector',
    k.resolution = '{"reason": "one version is active again"}'
RETURN k.id AS id, k.table AS table, k.entity AS entity, k.attribute AS attribute, k.score AS score
