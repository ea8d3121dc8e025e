// Phase 1 of loading a file: its Source, a `loading` Document version and its IngestionRun.
// Idempotent: a retried job finds the same nodes and carries on. A source written before it
// had a `name` (its caption in Neo4j Browser) gains it here.
MERGE (s:Source {id: $source.id})
  ON CREATE SET s += $source, s.trust = $initial_trust, s.created_at = datetime()
SET s.name = $source.name
MERGE (d:Document {id: $document.id})
  ON CREATE SET d += $document, d.status = 'loading', d.trust = $initial_trust,
                d.created_at = datetime()
MERGE (d)-[:FROM_SOURCE]->(s)
MERGE (run:IngestionRun {id: $run.id})
  ON CREATE SET run.started_at = datetime()
SET run += $run, run.status = 'running', run.error = null, run.error_code = null
MERGE (d)-[:INGESTED_BY]->(run)
RETURN d.sha256 AS sha256, d.status AS status
