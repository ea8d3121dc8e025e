// Deliberately invalid, for the error-path test; excluded from the EXPLAIN sweep.
MATCH (n RETURN n
