// How many entities a table has (the (table) index, no entity read).
MATCH (e:Entity)
WHERE e.table = $table
RETURN count(e) AS total
