// Where a chain's head says the chain ends.
MATCH (h:AuditHead {chain: $chain})
RETURN h.seq AS seq, h.hash AS hash
