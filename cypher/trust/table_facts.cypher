// The facts of one table with a status among $statuses and a confidence of at least
// $min_confidence, with the names of their supporting and contradicting sources (their ids
// are in the fact's evidence, JSON), for `grace facts export`.
MATCH (f:Fact {table: $table})
WHERE f.status IN $statuses AND f.confidence >= $min_confidence
RETURN f.key AS key, f.attribute AS attribute, f.value AS value, f.confidence AS confidence,
       f.status AS status, f.supporting_sources AS supporting,
       f.contradicting_sources AS contradicting, f.evidence AS evidence
ORDER BY key, attribute
