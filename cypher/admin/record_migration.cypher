// Remember that a migration ran, and which text of it.
MERGE (m:Migration {name: $name})
ON CREATE SET m.applied_at = datetime()
SET m.sha256 = $sha256
