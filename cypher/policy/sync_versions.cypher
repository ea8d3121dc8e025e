// Store each policy file as a versioned Policy node. A policy seen for the first time is
// active at once; a changed file becomes a `proposed` version that only an approval
// activates (policy/activate_version). A file equal to the active or a proposed version
// writes nothing. MERGE on the id keeps two concurrent syncs from creating a version twice.
UNWIND $policies AS p
OPTIONAL MATCH (v:Policy {name: p.name})
WITH p, collect(v) AS versions
WITH p, versions,
     reduce(latest = 0, x IN versions | CASE WHEN x.version > latest THEN x.version ELSE latest END)
       AS latest
WHERE none(x IN versions WHERE x.status IN ['active', 'proposed'] AND x.sha256 = p.sha256)
MERGE (n:Policy {id: p.name + '@' + toString(latest + 1)})
  ON CREATE SET n.name = p.name,
                n.version = latest + 1,
                n.sha256 = p.sha256,
                n.definition = p.definition,
                n.description = p.description,
                n.status = CASE WHEN size(versions) = 0 THEN 'active' ELSE 'proposed' END,
                n.created_at = datetime(),
                n.activated_at = CASE WHEN size(versions) = 0 THEN datetime() END,
                n.created = true
WITH n, [x IN versions WHERE x.version = latest] AS previous, coalesce(n.created, false) AS created
REMOVE n.created
FOREACH (old IN previous | MERGE (n)-[:PREVIOUS]->(old))
WITH n, created
WHERE created
RETURN n {.*} AS version
