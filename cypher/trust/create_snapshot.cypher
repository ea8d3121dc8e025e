// A point of the per-table trust trend: mean, distribution (ten buckets) and low/high counts
// of its active rows, computed by the full pass that scored them.
CREATE (t:TrustSnapshot {id: $table + '@' + toString(datetime()), table: $table, at: datetime(),
                         rows: $rows, mean: $mean, low: $low, high: $high,
                         histogram: $histogram})
RETURN t.id AS id
