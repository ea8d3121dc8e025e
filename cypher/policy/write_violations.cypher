// The violations of a batch of rows after an evaluation: edges of the evaluated policies that
// no longer hold are removed (also those to other versions of the same policy); current ones
// are merged on their rule, keeping the time they were first seen.
UNWIND $rows AS row
MATCH (r:Row {id: row.id})
CALL (r, row) {
  MATCH (r)-[e:VIOLATES]->(p:Policy)
  WHERE p.name IN $policies AND NOT (p.id + '|' + e.rule) IN row.keys
  DELETE e
}
CALL (r, row) {
  UNWIND row.violations AS v
  MATCH (p:Policy {id: v.policy})
  MERGE (r)-[e:VIOLATES {rule: v.rule}]->(p)
    ON CREATE SET e.at = $at
  SET e.detail = v.detail, e.checked_at = $at
}
