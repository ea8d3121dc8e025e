// The pass under `$claim` is alive: its lease runs `$seconds` more, at the step `$step` (the
// step under way, or null to keep the last one).
MATCH (d:Document {id: $document_id, pipeline: 'running', pipeline_claim: $claim})
SET d.pipeline_until = datetime() + duration({seconds: $seconds}),
    d.pipeline_step = coalesce($step, d.pipeline_step)
RETURN d.id AS id
