// Trust of the rows of one source, by entity key, with what explains it.
MATCH (r:Row {status: 'active'})-[:EXTRACTED_FROM]->(:Document {source: $source})
RETURN r.key AS key, r.trust AS trust, r.trust_features[6] AS propagated,
       r.trust_features[0..6] AS signals
ORDER BY key
