// The latest $limit points of a table's trust trend (written by full trust passes), oldest
// first.
MATCH (t:TrustSnapshot {table: $table})
WITH t ORDER BY t.at DESC LIMIT $limit
RETURN t.at AS at, t.rows AS rows, t.mean AS mean, t.low AS low, t.high AS high,
       t.histogram AS histogram
ORDER BY at
