// Test tampering: delete every stored checkpoint of an audit chain.
MATCH (c:AuditCheckpoint {chain: $chain})
DETACH DELETE c
