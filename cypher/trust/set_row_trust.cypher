// Trust of a batch of rows written by a full pass, as `trust/write_row_trust` writes it, each
// row [node, id, trust, features]; a full pass's features follow the clock (trust/features.py),
// so where only freshness moved they equal those stored and Neo4j writes `trust` alone. The
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
SET r.trust_features = row[3], r.trust_mode = $mode, r.trust_model = $model, r.trust = row[2]
