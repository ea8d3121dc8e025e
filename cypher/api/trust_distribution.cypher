// The trust of a table's active rows now: how many (and how many are scored), the sum of
// their trust, how many are under $low and at or over $high, and the counts per histogram
// bucket ([bucket, count], $buckets equal buckets over [0, 1]), by one pass over the rows.
MATCH (r:Row {table: $table})
WHERE r.status = 'active'
WITH r.trust AS trust, toInteger(floor(r.trust * $buckets)) AS raw
WITH trust, CASE WHEN raw >= $buckets THEN $buckets - 1 WHEN raw < 0 THEN 0 ELSE raw END AS bucket
WITH bucket, count(*) AS rows, count(trust) AS scored, sum(trust) AS total,
     sum(CASE WHEN trust < $low THEN 1 ELSE 0 END) AS low,
     sum(CASE WHEN trust >= $high THEN 1 ELSE 0 END) AS high
RETURN sum(rows) AS rows, sum(scored) AS scored, sum(total) AS total, sum(low) AS low,
       sum(high) AS high,
       collect(CASE WHEN bucket IS NULL THEN null ELSE [bucket, scored] END) AS histogram
