// What mutations act on: for each id, the kind of node it names (change request, conflict,
// row, document) and the tables and workspace it belongs to. No record for an unknown id.
UNWIND $ids AS id
OPTIONAL MATCH (cr:ChangeRequest {id: id})
OPTIONAL MATCH (k:Conflict {id: id})
OPTIONAL MATCH (r:Row {id: id})
OPTIONAL MATCH (d:Document {id: id})
WITH id, cr, k, r, d
WHERE cr IS NOT NULL OR k IS NOT NULL OR r IS NOT NULL OR d IS NOT NULL
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(involved:Row)
  RETURN collect(DISTINCT involved.table) AS involved_tables
}
CALL (d) {
  OPTIONAL MATCH (d)<-[:EXTRACTED_FROM]-(extracted:Row)
  RETURN collect(DISTINCT extracted.table) AS document_tables
}
RETURN id,
       CASE
         WHEN cr IS NOT NULL THEN 'change_request'
         WHEN k IS NOT NULL THEN 'conflict'
         WHEN r IS NOT NULL THEN 'row'
         ELSE 'document'
       END AS kind,
       CASE
         WHEN cr IS NOT NULL THEN [t IN [cr.table] WHERE t IS NOT NULL]
         WHEN k IS NOT NULL AND k.table IS NOT NULL THEN [k.table]
         WHEN k IS NOT NULL THEN involved_tables
         WHEN r IS NOT NULL THEN [r.table]
         ELSE document_tables
       END AS tables,
       cr.workspace AS workspace
