// How far the ingestion of every file has come: documents by status and pass state, rows
// by status, and the step under way of each running pass.
CALL () {
  MATCH (d:Document)
  RETURN collect([d.status, coalesce(d.pipeline, ''), coalesce(d.pipeline_step, '')]) AS documents
}
CALL () {
  MATCH (r:Row)
  WITH r.status AS status, count(*) AS count
  RETURN collect([status, count]) AS rows
}
RETURN documents, rows
