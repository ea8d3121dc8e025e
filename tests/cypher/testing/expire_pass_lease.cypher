// The lease of a running pass ran out, as when the worker that claimed it died.
MATCH (d:Document {id: $document_id, pipeline: 'running'})
SET d.pipeline_until = datetime() - duration({seconds: 1})
