// The claims of the sources $ids on the resolved items of $tables, counted by source, table
// and attribute: every fact (one per item) names in its evidence the sources that support
// its value and those that contradict it. `claims` counts the items a source claims with a
// fact of either status; `checked` those whose fact is active; `agreeing` those of them where
// the source supports the active fact's value.
MATCH (f:Fact)
WHERE f.table IN $tables
WITH f, apoc.convert.fromJsonMap(f.evidence) AS evidence
UNWIND [source IN coalesce(evidence.supporting, []) WHERE source IN $ids | [source, true]]
     + [source IN coalesce(evidence.contradicting, []) WHERE source IN $ids | [source, false]]
       AS claim
WITH claim[0] AS source, f.table AS table, f.attribute AS attribute, claim[1] AS agrees,
     f.status = 'active' AS active
RETURN source, table, attribute, count(*) AS claims,
       count(CASE WHEN active THEN 1 END) AS checked,
       count(CASE WHEN active AND agrees THEN 1 END) AS agreeing
ORDER BY source, table, attribute
