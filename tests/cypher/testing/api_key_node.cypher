// Every stored property of one API key, to check what is (not) stored.
MATCH (k:ApiKey {id: $id})
RETURN properties(k) AS key
