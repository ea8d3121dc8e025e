// Test check: the status of each version of one policy, by version.
MATCH (p:Policy {name: $name})
RETURN p.version AS version, p.status AS status
ORDER BY version
