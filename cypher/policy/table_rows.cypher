// One page of the rows of one table with the given statuses, in id order along the (table, id)
// index (keyset pagination: pass the last id of the previous page as $after), with their trust
// and the violations they carry now as 'policyId|rule'. One record of lists:
// [id, key, values, created_ms, trust, violations].
MATCH (r:Row)
USING INDEX r:Row(table, id)
WHERE r.table = $table AND r.id > $after AND r.status IN $statuses
WITH r ORDER BY r.table, r.id LIMIT $limit
RETURN collect([r.id, r.key, r.values, r.created_at.epochMillis, r.trust,
                [(r)-[e:VIOLATES]->(p:Policy) | p.id + '|' + e.rule]]) AS rows
