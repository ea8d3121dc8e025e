// One event per (chain, seq): two appends can never take the same place in a chain.
CREATE CONSTRAINT audit_event_chain_seq_unique IF NOT EXISTS
FOR (n:AuditEvent) REQUIRE (n.chain, n.seq) IS UNIQUE
