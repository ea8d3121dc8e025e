// One checkpoint per (chain, seq): checkpointing the same point twice is idempotent.
CREATE CONSTRAINT audit_checkpoint_chain_seq_unique IF NOT EXISTS
FOR (n:AuditCheckpoint) REQUIRE (n.chain, n.seq) IS UNIQUE
