// Make one stored version of a policy the active one: the version active before and any
// older proposal are superseded. Returns nothing when the version does not exist.
MATCH (p:Policy {name: $name, version: $version})
WITH p, p.status AS before
OPTIONAL MATCH (other:Policy {name: $name})
WHERE other <> p AND (other.status = 'active' OR (other.status = 'proposed' AND other.version < p.version))
WITH p, before, collect(other) AS others
WITH p, before, others, [o IN others WHERE o.status = 'active' | o.version][0] AS previous
FOREACH (o IN CASE WHEN before = 'active' THEN [] ELSE others END |
  SET o.status = 'superseded', o.superseded_at = datetime()
)
SET p.status = 'active',
    p.activated_at = CASE WHEN before = 'active' THEN p.activated_at ELSE datetime() END
RETURN before, previous
