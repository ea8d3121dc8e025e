// Facts by id, each with the ids of the rows it was resolved from that are still stored (a
// fact lists its rows' ids in `rows`). Unknown ids return nothing.
UNWIND $ids AS fact_id
MATCH (f:Fact {id: fact_id})
CALL (f) {
  UNWIND f.rows AS row_id
  MATCH (r:Row {id: row_id})
  WITH r ORDER BY r.id
  RETURN collect(r.id) AS rows
}
RETURN f {.id, .table, .key, .entity, .attribute, .value, .confidence, .status,
          .supporting_sources, .contradicting_sources, .evidence, .created_at,
          .resolved_at, .retracted_at} AS fact,
       rows
