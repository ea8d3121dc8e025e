// Whether a row with this id exists (the co-pilot's tests: a refused write left nothing).
OPTIONAL MATCH (r:Row {id: $id})
RETURN r IS NOT NULL AS exists
