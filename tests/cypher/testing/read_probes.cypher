// Test data: the probes of one run.
MATCH (p:GraceTestProbe {run: $run})
RETURN p.id AS id, p.value AS value
ORDER BY id
