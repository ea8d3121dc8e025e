// One head per audit chain: MERGE on it is safe under concurrency.
CREATE CONSTRAINT audit_head_chain_unique IF NOT EXISTS
FOR (n:AuditHead) REQUIRE n.chain IS UNIQUE
