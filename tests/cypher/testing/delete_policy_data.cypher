// Test clean-up: the rows of one table, the policies of the given names, the evaluations of
// that table and the documents of one source.
CALL () {
  MATCH (r:Row {table: $table})
  DETACH DELETE r
}
CALL () {
  MATCH (p:Policy) WHERE p.name IN $policies
  DETACH DELETE p
}
CALL () {
  MATCH (e:PolicyEvaluation) WHERE $table IN e.tables
  DETACH DELETE e
}
CALL () {
  MATCH (d:Document {source: $source})
  DETACH DELETE d
}
