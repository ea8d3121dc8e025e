// Claim the after-ingest pass of one active document for `$seconds` under the token `$claim`:
// when it is pending, failed with attempts left, or running under a lease that has expired
// (its worker died). The lock property serialises concurrent claims: the conditions are read
// again once the document's write lock is held. Returns nothing when the pass is not owed.
MATCH (d:Document {id: $document_id, status: 'active'})
WHERE d.pipeline IN ['pending', 'running', 'failed']
SET d.pipeline_lock = true
WITH d
WHERE d.pipeline = 'pending'
   OR (d.pipeline = 'running' AND d.pipeline_until < datetime())
   OR (d.pipeline = 'failed' AND coalesce(d.pipeline_attempts, 0) < $max_attempts)
SET d.pipeline = 'running', d.pipeline_claim = $claim, d.pipeline_step = null,
    d.pipeline_error = null, d.pipeline_until = datetime() + duration({seconds: $seconds}),
    d.pipeline_attempts = coalesce(d.pipeline_attempts, 0) + 1
REMOVE d.pipeline_lock
RETURN d.pipeline_attempts AS attempt
