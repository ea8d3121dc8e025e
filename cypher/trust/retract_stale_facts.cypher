// After a full recompute: facts no longer supported by any active row are retracted.
MATCH (f:Fact)
WHERE f.status IN ['active', 'candidate'] AND f.resolved_at < $started_at
SET f.status = 'retracted', f.retracted_at = datetime()
RETURN count(f) AS retracted
