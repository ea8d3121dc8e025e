// Every stored version of every policy, by name then newest first (nodes without a
// definition are not versions written by a sync, and are skipped).
MATCH (p:Policy)
WHERE p.name IS NOT NULL AND p.definition IS NOT NULL
RETURN p {.*} AS version
ORDER BY p.name, p.version DESC
