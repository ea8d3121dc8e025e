// Resolved values ("memory fusion"): one Fact per entity and attribute, `ABOUT` its entity,
// with the ids of the rows that support the chosen value in `rows` (sorted; readers match a
// row to its facts through the entity: `(r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f)` where
// `r.id IN f.rows`). One edge per fact instead of one per supporting row: the edges were
// most of the write. `status` is `active` (synced to the fact layer) or `candidate`; `digest`
// identifies the content apart from the confidence, so unchanged facts need not be written
// again. The `ABOUT` edge is merged on every write, not made only with a new fact: a fact
// outlives an entity whose rows were deleted, and must find it again when it comes back.
UNWIND $facts AS fact
MERGE (f:Fact {id: fact.id})
  ON CREATE SET f.created_at = datetime()
SET f.entity = fact.entity, f.table = fact.table, f.key = fact.key,
    f.attribute = fact.attribute, f.value = fact.value, f.confidence = fact.confidence,
    f.supporting_sources = fact.supporting, f.contradicting_sources = fact.contradicting,
    f.evidence = fact.evidence, f.status = fact.status, f.digest = fact.digest,
    f.rows = fact.rows, f.resolved_at = datetime()
WITH f, fact
CALL (f, fact) {
  MATCH (e:Entity {id: fact.entity})
  MERGE (f)-[:ABOUT]->(e)
}
