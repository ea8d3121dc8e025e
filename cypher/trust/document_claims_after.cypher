// One page of the active rows of one large active document ([id, source, ingested_ms]), in
// row-id order after $after, like `documents_claims`.
MATCH (:Document {id: $document[0]})<-[:EXTRACTED_FROM]-(r:Row {status: 'active'})
WHERE r.id > $after
WITH r ORDER BY r.id LIMIT $limit
RETURN collect([r.id, r.table, r.key, r.values, coalesce(r.reads, 0), $document[0],
                $document[1], $document[2], coalesce(r.rejected_attributes, []),
                CASE WHEN r.trust_mode IS NULL THEN null ELSE r.trust END,
                r.trust_mode = $mode AND coalesce(r.trust_model, 0) = $model
                  AND CASE WHEN $full THEN size(r.trust_features) = 9 AND r.trust_features[8] = 0
                           ELSE true END, r.value_hashes,
                COUNT { (r)-[:VIOLATES]->() }, elementId(r),
                CASE WHEN $full THEN r.trust_features END]) AS rows
