// For each (document, after): one page of at most $limit of its rows of the tables in
// $tables, by id. Expands from the document: only rows carry EXTRACTED_FROM, and leaving
// the label off keeps the planner from scanning the Row(table, id) index of whole tables.
UNWIND $pages AS page
CALL (page) {
  MATCH (d:Document {id: page.document})
  CALL (d, page) {
    MATCH (r)-[:EXTRACTED_FROM]->(d)
    WHERE r.table IN $tables AND r.id > page.after AND r.status <> 'pending'
    RETURN r ORDER BY r.id LIMIT $limit
  }
  RETURN collect(r {.id, .table, .key, .values, .sha256, .trust, .status}) AS rows
}
RETURN page.document AS document, page.after AS after, rows
