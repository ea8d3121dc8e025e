// Conflicts by id with what they involve: the ids of their rows, their chunks (with the text
// and the newest document holding each), and their other members (documents or schema
// versions of a version conflict); and their scope, the table whose readers may see them (a
// file's versions: the table of its rows; none for text). Unknown ids return nothing.
UNWIND $ids AS conflict_id
MATCH (k:Conflict {id: conflict_id})
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(r:Row)
  WITH r ORDER BY r.id
  RETURN collect(r.id) AS rows
}
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(c:Chunk)
  OPTIONAL MATCH (d:Document)-[:HAS_CHUNK]->(c)
  WITH c, d ORDER BY c.id, d.version DESC
  WITH c, collect(d)[0] AS d
  RETURN collect(CASE WHEN c IS NULL THEN null ELSE
           {id: c.id, text: c.text, ordinal: c.ordinal, document: d.id, path: d.path,
            source: d.source} END) AS chunks
}
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(:Document)<-[:EXTRACTED_FROM]-(r:Row)
  RETURN r.table AS file_table
  LIMIT 1
}
CALL (k) {
  OPTIONAL MATCH (k)-[:INVOLVES]->(m)
  WHERE m:Document OR m:SchemaVersion
  WITH m ORDER BY m.id
  RETURN collect(m.id) AS members
}
RETURN k {.id, .kind, .status, .table, .key, .entity, .attribute, .score, .claims,
          .suggestion, .resolution, .resolved_by, .reopened_by, .created_at, .updated_at,
          .resolved_at, .reopened_at} AS conflict,
       coalesce(k.table, file_table) AS scope, rows, chunks, members
