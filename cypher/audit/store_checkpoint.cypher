// Keep a signed checkpoint; the first one stored at a (chain, seq) stays.
MERGE (c:AuditCheckpoint {chain: $chain, seq: $seq})
  ON CREATE SET
    c.root = $root,
    c.at = $at,
    c.public_key = $public_key,
    c.signature = $signature
RETURN c {.*} AS checkpoint
