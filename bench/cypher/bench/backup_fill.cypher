// Bench data for backup and restore: one active document of $count rows from $offset ($count
// and $offset multiples of ten), each row with the properties ingestion writes and its edge
// to the document; ten rows describe each entity, as in the trust benches.
CREATE (d:Document {id: $document, path: $document, status: 'active', version: 1,
                    sha256: $document})
WITH d
UNWIND range($offset, $offset + $count - 1, 10) AS first
CREATE (e:Entity {id: 'bench_backup:e' + (first / 10), table: 'bench_backup',
                  key: 'e' + (first / 10)})
WITH d, e, first
UNWIND range(first, first + 9) AS i
CREATE (r:Row {id: 'row:bench_backup:' + i, table: 'bench_backup', key: 'e' + (first / 10),
               values: '{"city_id":"e' + (first / 10) + '","name":"City ' + i
                       + '","population":' + (1000 + i) + '}',
               sha256: 'sha-' + i, trust: 0.5 + (i % 50) / 100.0, status: 'active',
               trust_features: [0.6, 0.7, 0.8, 0.9, 1.0, 0.55, 0.0, 0.0, 1.0],
               created_at: datetime('2026-01-01T00:00:00Z')})
CREATE (r)-[:EXTRACTED_FROM {line: i}]->(d)
CREATE (r)-[:DESCRIBES]->(e)
