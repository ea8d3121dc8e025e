// The stored trust aggregate of each table in $tables, from its active rows now: how many
// (and how many scored), the sum of their trust, how many at 1.0, and 100 buckets of 0.01
// where bucket b holds b / 100.0 <= trust < (b + 1) / 100.0 compared as the same doubles a
// policy threshold is (so the counts under and over any threshold that is a multiple of
// 0.01 are exact); 1.0 goes to the last bucket. Written by every trust pass for the tables
// it scored; the dashboard reads it instead of aggregating on each request. Returns each
// table with its mean trust before (null: no aggregate or no scored row) and after, under
// `id` (what a `trust.updated` event of kind `table` is about), and whether it has a list of
// its least trusted rows (`trust.lowest_rows`; the passes keep it, a refresh leaves it be).
UNWIND $tables AS name
CALL (name) {
  MATCH (r:Row {table: name})
  WHERE r.status = 'active'
  WITH r.trust AS trust, toInteger(floor(r.trust * 100)) AS raw
  WITH trust, CASE WHEN raw IS NULL THEN null
                   WHEN trust >= (raw + 1) / 100.0 THEN raw + 1
                   WHEN trust < raw / 100.0 THEN raw - 1
                   ELSE raw END AS exact
  WITH trust, CASE WHEN exact > 99 THEN 99 WHEN exact < 0 THEN 0 ELSE exact END AS bucket
  WITH bucket, count(*) AS rows, count(trust) AS scored, sum(trust) AS total,
       sum(CASE WHEN trust >= 1.0 THEN 1 ELSE 0 END) AS top
  RETURN sum(rows) AS rows, sum(scored) AS scored, sum(total) AS total, sum(top) AS top,
         collect(CASE WHEN bucket IS NULL THEN null ELSE [bucket, scored] END) AS pairs
}
MERGE (a:TrustAggregate {table: name})
WITH a, name, rows, scored, total, top, pairs,
     CASE WHEN a.scored > 0 THEN a.total / a.scored END AS before
SET a.rows = rows, a.scored = scored, a.total = total, a.top = top, a.at = datetime(),
    a.buckets = [b IN range(0, 99) | coalesce(head([p IN pairs WHERE p[0] = b | p[1]]), 0)]
RETURN name AS id, name AS table, before,
       CASE WHEN scored > 0 THEN total / scored END AS after, a.lowest IS NOT NULL AS listed
