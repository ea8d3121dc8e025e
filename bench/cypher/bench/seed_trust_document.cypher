// Benchmark set-up: one source with one active document.
MERGE (s:Source {id: $source})
  ON CREATE SET s.kind = 'bench', s.location = 'bench', s.trust = 0.8
CREATE (d:Document {id: $document_id, source: $source, path: 'bench.csv', sha256: 'bench',
                    mime: 'text/csv', size: 0, version: 1, status: 'active',
                    ingested_at: datetime()})
CREATE (d)-[:FROM_SOURCE]->(s)
