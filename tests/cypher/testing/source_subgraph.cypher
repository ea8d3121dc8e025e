// Everything one source's ingestion wrote, whole, for comparing graphs property by property:
// the Source, its Documents and runs (failed ones too), every node next to a Document (Rows,
// chunks, schema versions) or to one of its Rows (Entities), and every relationship among them.
MATCH (s:Source {id: $source})
OPTIONAL MATCH (s)<-[:FROM_SOURCE]-(d:Document)
WITH s, collect(d) AS documents
OPTIONAL MATCH (run:IngestionRun {source: $source})
WITH s, documents, collect(run) AS runs
CALL (documents) {
  UNWIND documents AS d
  MATCH (d)--(near)
  RETURN collect(DISTINCT near) AS near
}
CALL (near) {
  UNWIND near AS r
  MATCH (r:Row)--(far)
  WHERE NOT far:Document
  RETURN collect(DISTINCT far) AS far
}
WITH [s] + documents + runs + near + far AS everything
UNWIND everything AS n
WITH collect(DISTINCT n) AS nodes
CALL (nodes) {
  UNWIND nodes AS a
  MATCH (a)-[e]->(b)
  WHERE b IN nodes
  RETURN collect({type: type(e), start: a.id, end: b.id, properties: properties(e)}) AS edges
}
RETURN [n IN nodes | {labels: labels(n), properties: properties(n)}] AS nodes, edges
