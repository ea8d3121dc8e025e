// How many Migration nodes record each of some migrations.
UNWIND $names AS name
OPTIONAL MATCH (m:Migration {name: name})
RETURN name, count(m) AS records
ORDER BY name
