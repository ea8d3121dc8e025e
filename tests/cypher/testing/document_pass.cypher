// Where one document's after-ingest pass stands (ingest/pass_state.py).
MATCH (d:Document {id: $document_id})
RETURN d.pipeline AS state, d.pipeline_step AS step, d.pipeline_error AS error,
       d.pipeline_attempts AS attempts
