// Take the write locks of some entities' facts, held until the transaction ends: a test holds
// an after-ingest pass's facts transaction back with it.
MATCH (f:Fact)
WHERE f.entity IN $entities
SET f.locking = true
REMOVE f.locking
RETURN count(f) AS held
