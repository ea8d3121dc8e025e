// Trust of a batch of rows: each row is [id, trust, features] (lists are cheaper to send than
// maps), `features` the stored list of trust/features.py: the signals but freshness, the
// propagated score and what freshness is derived from (one list costs less to write than
// two; freshness itself would change it at every pass). $mode says
// how the trust was computed (`propagated` or `learned`) and $model which learned model (null
// with the combined score). The explanation is not stored: it follows from the features and
// the model (`trust.scoring.stored_parts`). No timestamp either: it cost
// 15% of the write, and what a pass did is in its report, snapshots and events.
// Returns, per table, how the active rows among them moved (`left`: their trust before,
// `entered`: after, each [table, rows, non-null trusts]) for `trust/shift_table_trust`; the
// first SET takes the row's write lock, so the trust read after it is the one replaced.
UNWIND $rows AS row
MATCH (r:Row {id: row[0]})
SET r.trust_features = row[2], r.trust_mode = $mode, r.trust_model = $model
WITH r, row, r.trust AS before
SET r.trust = row[1]
WITH r.table AS table, r.status = 'active' AS counted, before, r.trust AS after
WHERE counted
WITH table, count(*) AS rows, collect(before) AS before, collect(after) AS after
RETURN collect([table, rows, before]) AS left, collect([table, rows, after]) AS entered
