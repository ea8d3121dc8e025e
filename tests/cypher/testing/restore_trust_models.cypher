// Test clean-up: remove the trust model versions not in $keep, and put back in force exactly
// the versions in $in_force.
CALL () {
  MATCH (m:TrustModel) WHERE NOT m.version IN $keep
  DETACH DELETE m
}
CALL () {
  MATCH (m:TrustModel) WHERE m.version IN $keep
  SET m.in_force = m.version IN $in_force
}
