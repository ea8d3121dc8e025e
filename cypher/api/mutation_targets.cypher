// What mutations act on: for each id, the kind of node it names (change request, conflict,
// row, document, fact, schema version) and the tables and workspace it belongs to, scoped as the read side scopes
// them: a conflict's table, else its rows' tables, else (a file's versions) the tables of
// the rows of its documents; a change request's table, else its target's. No record for an
// unknown id.
UNWIND $ids AS id
OPTIONAL MATCH (cr:ChangeRequest {id: id})
OPTIONAL MATCH (k:Conflict {id: id})
OPTIONAL MATCH (r:Row {id: id})
OPTIONAL MATCH (d:Document {id: id})
OPTIONAL MATCH (f:Fact {id: id})
OPTIONAL MATCH (v:SchemaVersion {id: id})
WITH id, cr, k, r, d, f, v
WHERE cr IS NOT NULL OR k IS NOT NULL OR r IS NOT NULL OR d IS NOT NULL OR f IS NOT NULL
   OR v IS NOT NULL
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(involved:Row)
  RETURN collect(DISTINCT involved.table) AS involved_tables
}
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(:Document)<-[:EXTRACTED_FROM]-(file_row:Row)
  RETURN collect(DISTINCT file_row.table) AS file_tables
}
CALL (d) {
  OPTIONAL MATCH (d)<-[:EXTRACTED_FROM]-(extracted:Row)
  RETURN collect(DISTINCT extracted.table) AS document_tables
}
CALL (cr) {
  OPTIONAL MATCH (cr)-[:TARGETS]->(t)
  RETURN collect(CASE WHEN t:Schema THEN t.name ELSE t.table END)[0] AS target_table
}
RETURN id,
       CASE
         WHEN cr IS NOT NULL THEN 'change_request'
         WHEN k IS NOT NULL THEN 'conflict'
         WHEN r IS NOT NULL THEN 'row'
         WHEN f IS NOT NULL THEN 'fact'
         WHEN v IS NOT NULL THEN 'schema_version'
         ELSE 'document'
       END AS kind,
       CASE
         WHEN cr IS NOT NULL THEN [t IN [coalesce(cr.table, target_table)] WHERE t IS NOT NULL]
         WHEN k IS NOT NULL AND k.table IS NOT NULL THEN [k.table]
         WHEN k IS NOT NULL AND size(involved_tables) > 0 THEN involved_tables
         WHEN k IS NOT NULL THEN file_tables
         WHEN r IS NOT NULL THEN [r.table]
         WHEN f IS NOT NULL THEN [f.table]
         WHEN v IS NOT NULL THEN [v.table]
         ELSE document_tables
       END AS tables,
       cr.workspace AS workspace
