// Phase 3, one transaction: the loading version becomes the active one. The previous version
// is superseded; its rows missing from the new version are retracted (or superseded when the
// same entity has a new row); the new version's rows become active; the run completes. A
// completed version owes its after-ingest pass (`pipeline: 'pending'`, see ingest/pass_state.py),
// recorded in this same transaction so that no crash can lose it. Returns, per table, the rows
// that left the active set and those that entered it, with their trust ([table, rows,
// non-null trusts]), for the stored trust aggregates (`trust/shift_table_trust`), and the rows
// a trust pass scored that came back ([table, trust, id]: they may join the least trusted).
// A row that leaves keeps the time its freshness was read at (trust/features.py).
MATCH (d:Document {id: $document_id})-[:INGESTED_BY]->(run:IngestionRun {id: $run_id})
CALL (d) {
  OPTIONAL MATCH (old:Document {source: d.source, path: d.path, status: 'active'})
  WHERE old <> d
  FOREACH (_ IN CASE WHEN old IS NULL THEN [] ELSE [1] END |
    SET old.status = 'superseded'
    MERGE (d)-[:SUPERSEDES]->(old)
  )
  WITH old
  OPTIONAL MATCH (clock:TrustClock {id: 'full'})
  OPTIONAL MATCH (gone:Row {status: 'active'})-[:EXTRACTED_FROM]->(old)
  WHERE NOT (gone)-[:EXTRACTED_FROM]->(d)
  SET gone.status = CASE
        WHEN EXISTS { (gone)-[:DESCRIBES]->(:Entity)<-[:DESCRIBES]-(:Row)-[:EXTRACTED_FROM]->(d) }
        THEN 'superseded' ELSE 'retracted' END,
      gone.retracted_at = datetime(),
      gone.trust_features = CASE WHEN gone.trust_features[8] = 0
                              THEN gone.trust_features[0..8] + [coalesce(clock.at, 0.0)]
                              ELSE gone.trust_features END
  WITH gone.table AS table, count(gone) AS rows, collect(gone.trust) AS trust
  RETURN sum(rows) AS retracted, collect(CASE WHEN rows > 0 THEN [table, rows, trust] END) AS left
}
CALL (d) {
  OPTIONAL MATCH (r:Row)-[:EXTRACTED_FROM]->(d)
  WHERE r.status IN ['pending', 'retracted', 'superseded']
  SET r.status = 'active'
  WITH r.table AS table, count(r) AS rows, collect(r.trust) AS trust,
       collect(CASE WHEN r.trust_mode IS NOT NULL THEN [r.table, r.trust, r.id] END) AS scored
  RETURN sum(rows) AS activated, collect(CASE WHEN rows > 0 THEN [table, rows, trust] END) AS entered,
         reduce(flat = [], some IN collect(scored) | flat + some) AS returned
}
SET d.status = 'active', d.ingested_at = datetime(), d.rows = $rows, d.chunks = $chunks,
    d.pipeline = CASE WHEN $status = 'completed' THEN 'pending' END, d.pipeline_attempts = 0
SET run.status = $status, run.finished_at = datetime(), run.rows = $rows,
    run.skipped = $skipped, run.retracted = retracted, run.warnings = $warnings
RETURN retracted, activated, left, entered, returned
