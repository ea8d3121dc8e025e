// A point of the per-table trust trend: mean, distribution (ten buckets) and low/high counts.
MATCH (r:Row {status: 'active', table: $table})
WITH count(r) AS rows, avg(r.trust) AS mean,
     sum(CASE WHEN r.trust < $low THEN 1 ELSE 0 END) AS low,
     sum(CASE WHEN r.trust >= $high THEN 1 ELSE 0 END) AS high,
     collect(CASE WHEN r.trust >= 1.0 THEN 9 ELSE toInteger(r.trust * 10) END) AS buckets
WHERE rows > 0
WITH rows, mean, low, high,
     [bucket IN range(0, 9) | size([b IN buckets WHERE b = bucket])] AS histogram
CREATE (t:TrustSnapshot {id: $table + '@' + toString(datetime()), table: $table, at: datetime(),
                         rows: rows, mean: mean, low: low, high: high, histogram: histogram})
RETURN t.id AS id, rows, mean
