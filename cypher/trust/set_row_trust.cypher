// Trust of a batch of rows written by a full pass, as `trust/write_row_trust` writes it, each
// row [node, id, trust, features], or [node, id, trust] for a row whose stored features stay
// (a full pass's follow its clock, trust/features.py: where only freshness moved, only `trust`
// is written; `trust.scoring.keep_stored`). The
// row is found by its `elementId` as the pass read it (`node`: a seek by element id instead of
// the id index), and its `id` must still match (an
// element id can be reused once its node is deleted; a row gone since is skipped). No label
// in the MATCH, and the id compared after it: with either, the planner seeks the id index.
// Nothing is returned: a full pass counts every table's aggregate and refills its least
// trusted rows from the rows once, after the last batch (`trust.overview.refresh_table_trust`),
// so its batches neither move the aggregate nor lock it (two writers moving one table's
// aggregate queued on its lock, and deadlocked).
UNWIND $rows AS row
MATCH (r)
WHERE elementId(r) = row[0]
WITH r, row
WHERE r.id = row[1]
SET r.trust = row[2]
FOREACH (features IN row[3..4] |
  SET r.trust_features = features, r.trust_mode = $mode, r.trust_model = $model)
