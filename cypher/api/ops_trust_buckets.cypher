// Active rows per table and trust bucket (1..$buckets: trust in ((b-1)/$buckets, b/$buckets],
// a trust of 0 in bucket 1), with the trust summed, for the /metrics histograms.
MATCH (r:Row {status: 'active'})
WHERE r.trust IS NOT NULL
WITH r.table AS table, r.trust AS trust,
     toInteger(ceil(r.trust * $buckets)) AS raw
WITH table, trust, CASE WHEN raw < 1 THEN 1 WHEN raw > $buckets THEN $buckets ELSE raw END AS bucket
RETURN table, bucket, count(*) AS rows, sum(trust) AS trust_sum
ORDER BY table, bucket
