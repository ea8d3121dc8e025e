// Append hashed events to a chain (its head locked by audit/lock_head in the same
// transaction): move the head to the last one, link each from its predecessor by NEXT.
MATCH (h:AuditHead {chain: $chain})
SET h.seq = $seq, h.hash = $hash
WITH h
UNWIND $events AS event
CREATE (e:AuditEvent)
SET e = event
WITH e
MATCH (previous:AuditEvent {chain: e.chain, seq: e.seq - 1})
CREATE (previous)-[:NEXT]->(e)
