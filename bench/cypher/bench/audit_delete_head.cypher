// Benchmark tear-down: remove an audit chain's head and checkpoints.
CALL () {
  MATCH (h:AuditHead {chain: $chain})
  DETACH DELETE h
}
CALL () {
  MATCH (c:AuditCheckpoint {chain: $chain})
  DETACH DELETE c
}
