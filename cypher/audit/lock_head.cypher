// Lock a chain's head for this transaction (the SET takes its write lock, serialising
// appends across processes) and read where the chain ends; creates the head of a new chain.
MERGE (h:AuditHead {chain: $chain})
  ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked = true
RETURN h.seq AS seq, h.hash AS hash
