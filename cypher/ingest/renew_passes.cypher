// The passes of $claims ([{document_id, claim}]) are alive: each lease runs `$seconds` more, at
// the step `$step` (the step under way, or null to keep the last one). Returns the documents
// whose claim still holds.
UNWIND $claims AS held
MATCH (d:Document {id: held.document_id, pipeline: 'running', pipeline_claim: held.claim})
SET d.pipeline_until = datetime() + duration({seconds: $seconds}),
    d.pipeline_step = coalesce($step, d.pipeline_step)
RETURN d.id AS id
