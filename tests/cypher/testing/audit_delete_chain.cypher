// Test clean-up: remove one audit chain's events, head and checkpoints.
CALL () {
  MATCH (e:AuditEvent {chain: $chain})
  DETACH DELETE e
}
CALL () {
  MATCH (h:AuditHead {chain: $chain})
  DETACH DELETE h
}
CALL () {
  MATCH (c:AuditCheckpoint {chain: $chain})
  DETACH DELETE c
}
