// Test-only: per table of $tables, how many rows are active and their non-null trusts.
UNWIND $tables AS name
OPTIONAL MATCH (r:Row {table: name})
WHERE r.status = 'active'
RETURN name AS table, count(r) AS rows, collect(r.trust) AS trust
