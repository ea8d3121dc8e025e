// The pass under `$claim` ended: `done`, or `failed` at `$step` with `$error` (the sweep tries
// again while attempts are left). Nothing when another worker has claimed the pass since.
MATCH (d:Document {id: $document_id, pipeline: 'running', pipeline_claim: $claim})
SET d.pipeline = $state, d.pipeline_step = $step, d.pipeline_error = $error,
    d.pipeline_finished_at = datetime()
REMOVE d.pipeline_until, d.pipeline_claim
RETURN d.pipeline AS state
