// Test clean-up: the change requests that name the given tables.
MATCH (cr:ChangeRequest) WHERE cr.table IN $names
DETACH DELETE cr
