// The active rows of some active documents ([id, source, ingested_ms] each), as one record
// of lists ([id, table, key, values, reads, document, source, ingested_ms, rejected, trust,
// current]; see trust/rows.py). Reading rows document by document follows the order they
// were stored in, several times faster than the random order of row ids. `trust` is the
// stored trust (null if never scored), `current` whether it was scored in mode $mode with
// model $model (0: none) and stored in the list layout of trust/features.py, by a full pass
// when $full (its freshness then follows the clock, `trust/clock`); with $full, last, its
// stored `trust_features`, which the pass keeps where they barely moved. (`VIOLATES` edges
// always end at a `Policy`: counting them needs no look at their end.)
// Rows are reached only by expanding from the documents, never by a label or an index of
// theirs: a plan made while the store held few rows would otherwise seek every active row
// once per document (tests/integration/test_anchored_plans.py).
UNWIND $documents AS document
MATCH (:Document {id: document[0]})<-[:EXTRACTED_FROM]-(r)
WHERE r.status = 'active'
RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), document[0], document[1],
                document[2], coalesce(r.rejected_attributes, []),
                CASE WHEN r.trust_mode IS NULL THEN null ELSE r.trust END,
                r.trust_mode = $mode AND coalesce(r.trust_model, 0) = $model
                  AND CASE WHEN $full THEN size(r.trust_features) = 9 AND r.trust_features[8] = 0
                           ELSE true END, r.value_hashes,
                COUNT { (r)-[:VIOLATES]->() }, elementId(r),
                CASE WHEN $full THEN r.trust_features END]) AS rows
