// The active rows that describe some entities (the part an incremental update recomputes).
UNWIND $entities AS entity_id
MATCH (:Entity {id: entity_id})<-[:DESCRIBES]-(r:Row {status: 'active'})
MATCH (r)-[:EXTRACTED_FROM]->(d:Document {status: 'active'})-[:FROM_SOURCE]->(s:Source)
WITH r, d, s ORDER BY d.ingested_at DESC
WITH r, head(collect({document: d.id, source: s.id, ingested_at: d.ingested_at})) AS latest
RETURN r.id AS id, r.table AS table, r.key AS key, r.values AS values,
       r.reads AS reads, latest.document AS document, latest.source AS source,
       latest.ingested_at AS ingested_at
ORDER BY id
