// Facts no longer resolved (their rows left, were quarantined or rejected) are retracted,
// unless a pass that started after this one wrote them meanwhile.
UNWIND $ids AS fact_id
MATCH (f:Fact {id: fact_id})
WHERE f.status IN ['active', 'candidate'] AND f.resolved_at < $started_at
SET f.status = 'retracted', f.retracted_at = datetime()
RETURN count(f) AS retracted
