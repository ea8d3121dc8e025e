// Every conflict by kind and status, for /metrics: their growth is the rate conflicts are
// found at, the resolved ones' growth the rate they are resolved at (none is deleted).
MATCH (k:Conflict)
RETURN coalesce(k.kind, 'unknown') AS kind, coalesce(k.status, 'unknown') AS status,
       count(*) AS conflicts
