// Test set-up: one row breaks one rule of the active version of a policy.
MATCH (r:Row {id: $row}), (p:Policy {name: $policy, status: 'active'})
MERGE (r)-[v:VIOLATES {rule: $rule}]->(p)
SET v.at = datetime(), v.detail = 'test'
