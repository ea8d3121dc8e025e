// What each row (already readable) takes part in: the conflicts involving it, the facts
// resolved from it (found through its entity: a fact lists its rows' ids) and the policy
// rules it violates (the policy version and the rule only: a violation's detail can quote a
// value).
UNWIND $ids AS id
MATCH (r:Row {id: id})
RETURN id,
       COLLECT { MATCH (c:Conflict)-[:INVOLVES]->(r) RETURN c.id AS c ORDER BY c } AS conflicts,
       COLLECT {
         MATCH (r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f:Fact) WHERE r.id IN f.rows
         RETURN f.id AS f ORDER BY f
       } AS facts,
       COLLECT {
         MATCH (r)-[e:VIOLATES]->(p:Policy)
         RETURN {policy: p.id, name: p.name, version: p.version, rule: e.rule, at: e.at} AS v
         ORDER BY v.policy, v.rule
       } AS violations
