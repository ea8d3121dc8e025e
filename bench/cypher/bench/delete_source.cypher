// Benchmark tear-down: up to $limit documents and runs of one source per call, then the
// source itself once nothing is left.
CALL () {
  MATCH (d:Document {source: $source})
  WITH d LIMIT $limit
  DETACH DELETE d
  RETURN count(*) AS documents
}
CALL () {
  MATCH (run:IngestionRun {source: $source})
  WITH run LIMIT $limit
  DETACH DELETE run
  RETURN count(*) AS runs
}
OPTIONAL MATCH (s:Source {id: $source})
WHERE documents = 0 AND runs = 0
DETACH DELETE s
RETURN documents + runs AS deleted
