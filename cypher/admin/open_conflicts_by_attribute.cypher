// Open conflicts grouped by table, kind and attribute, most numerous first: what the
// start-up summary and `grace ingest` name as found.
MATCH (k:Conflict {status: 'open'})
RETURN k.table AS table, k.kind AS kind, k.attribute AS attribute, count(*) AS conflicts
ORDER BY conflicts DESC, table, attribute
