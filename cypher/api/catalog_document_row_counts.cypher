// How many rows of the tables in $tables each document holds (expanding from the document,
// as catalog_document_rows does).
UNWIND $ids AS id
OPTIONAL MATCH (d:Document {id: id})
CALL (d) {
  OPTIONAL MATCH (r)-[:EXTRACTED_FROM]->(d)
  WHERE r.table IN $tables AND r.status <> 'pending'
  RETURN count(r) AS total
}
RETURN id, total
