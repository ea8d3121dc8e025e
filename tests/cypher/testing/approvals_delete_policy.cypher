// Test clean-up: every version of one policy.
MATCH (p:Policy {name: $name})
DETACH DELETE p
