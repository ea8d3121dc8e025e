// Every active or candidate fact as one record of lists ([id, digest, confidence]): what a
// full recompute compares its resolved facts with, to write only those that changed.
MATCH (f:Fact)
WHERE f.status IN ['active', 'candidate']
RETURN collect([f.id, f.digest, f.confidence]) AS facts
