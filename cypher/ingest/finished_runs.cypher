// Of the given run ids (one per file content), those whose run has finished: completed,
// failed or awaiting a decision. The watcher's rescan queues the others again.
UNWIND $ids AS id
MATCH (run:IngestionRun {id: id})
WHERE run.status IN ['completed', 'failed', 'awaiting_schema', 'awaiting_approval']
RETURN collect(run.id) AS finished
