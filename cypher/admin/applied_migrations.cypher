// The migrations already applied, with the checksum of the file that was applied.
MATCH (m:Migration)
RETURN m.name AS name, m.sha256 AS sha256, m.applied_at AS applied_at
ORDER BY name
