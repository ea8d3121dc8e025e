// How many of one source's active documents there are, and how many have had their
// after-ingest pass.
MATCH (d:Document {status: 'active'})-[:FROM_SOURCE]->(:Source {id: $source})
RETURN count(d) AS documents, count(CASE WHEN d.pipeline = 'done' THEN 1 END) AS passed
