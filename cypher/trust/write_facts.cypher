// Resolved values ("memory fusion"): one Fact per entity and attribute, resolved from the
// rows that support the chosen value: RESOLVED_FROM edges to rows no longer among them are
// removed, missing ones created (the fact's edges are read once, so only rows new to it are
// looked up, each by the `elementId` its pass read it with, `fact.nodes`, beside its id in
// `fact.rows`, which must still match; compared after the MATCH, without a label, so that
// the planner seeks by element id, not the id index). `status` is `active` (synced to the fact layer) or `candidate`; `digest`
// identifies the content apart from the confidence, so unchanged facts need not be written
// again.
UNWIND $facts AS fact
MERGE (f:Fact {id: fact.id})
  ON CREATE SET f.created_at = datetime()
SET f.entity = fact.entity, f.table = fact.table, f.key = fact.key,
    f.attribute = fact.attribute, f.value = fact.value, f.confidence = fact.confidence,
    f.supporting_sources = fact.supporting, f.contradicting_sources = fact.contradicting,
    f.evidence = fact.evidence, f.status = fact.status, f.digest = fact.digest,
    f.resolved_at = datetime()
WITH f, fact
CALL (f, fact) {
  OPTIONAL MATCH (f)-[edge:RESOLVED_FROM]->(r:Row)
  WITH collect(r.id) AS linked, collect(CASE WHEN NOT r.id IN fact.rows THEN edge END) AS stale
  FOREACH (edge IN stale | DELETE edge)
  WITH linked
  UNWIND [i IN range(0, size(fact.rows) - 1) WHERE NOT fact.rows[i] IN linked] AS i
  MATCH (r)
  WHERE elementId(r) = fact.nodes[i]
  WITH r, i
  WHERE r.id = fact.rows[i]
  CREATE (f)-[:RESOLVED_FROM]->(r)
}
