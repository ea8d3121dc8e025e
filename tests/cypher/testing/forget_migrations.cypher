// Test data: forget that some migrations ran (their statements are idempotent).
MATCH (m:Migration) WHERE m.name IN $names
DELETE m
