// Open conflicts grouped by table, kind and attribute, most numerous first, each with an
// entity it is about: what the start-up summary and `grace ingest` name as found.
MATCH (k:Conflict {status: 'open'})
RETURN k.table AS table, k.kind AS kind, k.attribute AS attribute, count(*) AS conflicts,
       min(k.entity) AS example
ORDER BY conflicts DESC, table, attribute
