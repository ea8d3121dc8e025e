// Retention: erase the personal-data values of a batch of rows (the fields become null), only
// where the stored values are still those that were read. Violations on the erased fields no
// longer hold and are removed; facts resolved from the row for those fields lose their value.
UNWIND $rows AS row
MATCH (r:Row {id: row.id})
WHERE r.values = row.before
SET r.values = row.values,
    r.erased_at = $at,
    r.erased_fields = reduce(all = coalesce(r.erased_fields, []), f IN row.fields |
                             CASE WHEN f IN all THEN all ELSE all + f END)
WITH r, row
CALL (r, row) {
  MATCH (r)-[e:VIOLATES]->(:Policy)
  WHERE any(f IN row.fields WHERE e.rule ENDS WITH ':' + f)
  DELETE e
}
CALL (r, row) {
  MATCH (r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f:Fact)
  WHERE f.attribute IN row.fields AND r.id IN f.rows
  SET f.value = 'null', f.erased_at = $at
}
RETURN r.id AS id
