// Benchmark floor of `api/source_accuracy`: the same facts read (their evidence, attribute
// and status returned to the database's aggregation) without parsing the evidence.
MATCH (f:Fact)
WHERE f.table IN $tables
RETURN f.attribute AS attribute, count(f.evidence) AS facts, count(f.status) AS statuses
