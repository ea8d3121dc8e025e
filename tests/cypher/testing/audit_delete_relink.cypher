// Test tampering: delete one middle audit event and link its neighbours by NEXT.
MATCH (before:AuditEvent {chain: $chain, seq: $seq - 1})-[:NEXT]->(e:AuditEvent {chain: $chain, seq: $seq})
MATCH (e)-[:NEXT]->(after:AuditEvent)
DETACH DELETE e
CREATE (before)-[:NEXT]->(after)
