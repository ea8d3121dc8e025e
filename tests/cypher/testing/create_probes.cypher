// Test data: probe nodes carrying a run marker, written in batches.
UNWIND $rows AS row
MERGE (p:GraceTestProbe {id: row.id})
SET p.run = $run, p.value = row.value
