// Open conflicts by kind, for /metrics.
MATCH (k:Conflict {status: 'open'})
RETURN coalesce(k.kind, 'unknown') AS kind, count(*) AS conflicts
