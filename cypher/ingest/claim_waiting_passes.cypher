// Claim, for `$seconds`, the after-ingest passes of the documents of $claims
// ([{document_id, claim}], in document order) that are pending: never started, so a pass
// coalesced with others is never a retry (a pass that failed or was cut short runs alone).
// Each is claimed under its own token, as `claim_pass.cypher` claims one, the lock property
// serialising concurrent claims. Returns the documents claimed, with their attempt.
UNWIND $claims AS wanted
MATCH (d:Document {id: wanted.document_id, status: 'active', pipeline: 'pending'})
SET d.pipeline_lock = true
WITH d, wanted
WHERE d.pipeline = 'pending'
SET d.pipeline = 'running', d.pipeline_claim = wanted.claim, d.pipeline_step = null,
    d.pipeline_error = null, d.pipeline_until = datetime() + duration({seconds: $seconds}),
    d.pipeline_attempts = coalesce(d.pipeline_attempts, 0) + 1
REMOVE d.pipeline_lock
RETURN d.id AS document_id, d.pipeline_attempts AS attempt
