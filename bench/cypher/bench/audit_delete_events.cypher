// Benchmark tear-down: remove up to $limit events of one audit chain per call.
MATCH (e:AuditEvent {chain: $chain})
WITH e
LIMIT $limit
DETACH DELETE e
RETURN count(*) AS deleted
