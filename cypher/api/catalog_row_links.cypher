// What each row (already readable) takes part in: the conflicts involving it, the facts
// resolved from it and the policy rules it violates (the policy version and the rule only:
// a violation's detail can quote a value).
UNWIND $ids AS id
MATCH (r:Row {id: id})
RETURN id,
       COLLECT { MATCH (c:Conflict)-[:INVOLVES]->(r) RETURN c.id AS c ORDER BY c } AS conflicts,
       COLLECT { MATCH (f:Fact)-[:RESOLVED_FROM]->(r) RETURN f.id AS f ORDER BY f } AS facts,
       COLLECT {
         MATCH (r)-[e:VIOLATES]->(p:Policy)
         RETURN {policy: p.id, name: p.name, version: p.version, rule: e.rule, at: e.at} AS v
         ORDER BY v.policy, v.rule
       } AS violations
