// Trust of a batch of rows, with the propagated part and the explanation.
UNWIND $rows AS row
MATCH (r:Row {id: row.id})
SET r.trust = row.trust, r.trust_propagated = row.propagated,
    r.trust_explanation = row.explanation, r.trust_mode = $mode,
    r.trust_updated_at = datetime()
