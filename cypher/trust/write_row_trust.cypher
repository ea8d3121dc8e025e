// Trust of a batch of rows: each row is [id, trust, propagated, signals] (lists are cheaper
// to send than maps), `signals` the six signals in `trust.signals.Signal` order. $mode says
// how the trust was computed (`propagated` or `learned`) and $model which learned model (null
// with the combined score). The explanation is not stored: it follows from the signals, the
// propagated score and the model (`trust.scoring.stored_parts`). No timestamp either: it cost
// 15% of the write, and what a pass did is in its report, snapshots and events.
UNWIND $rows AS row
MATCH (r:Row {id: row[0]})
SET r.trust = row[1], r.trust_propagated = row[2], r.trust_signals = row[3],
    r.trust_mode = $mode, r.trust_model = $model
