// The passes of $claims ([{document_id, claim}]) ended: `done`, or `failed` at `$step` with
// `$error` (the sweep tries again while attempts are left). Nothing for a document another
// worker has claimed since.
UNWIND $claims AS held
MATCH (d:Document {id: held.document_id, pipeline: 'running', pipeline_claim: held.claim})
SET d.pipeline = $state, d.pipeline_step = $step, d.pipeline_error = $error,
    d.pipeline_finished_at = datetime()
REMOVE d.pipeline_until, d.pipeline_claim
RETURN d.pipeline AS state
