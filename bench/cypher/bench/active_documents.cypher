// Active documents of one source, for worker_scaling.
MATCH (d:Document {status: 'active'})-[:FROM_SOURCE]->(:Source {id: $source})
RETURN count(d) AS active
