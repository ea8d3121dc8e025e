// Test set-up: the rows of one source as a scoring that stored no features left them.
MATCH (r:Row)-[:EXTRACTED_FROM]->(:Document {source: $source})
REMOVE r.trust_features
