// How many Source nodes have this id.
MATCH (s:Source {id: $id})
RETURN count(s) AS n
