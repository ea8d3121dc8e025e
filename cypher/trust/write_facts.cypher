// Resolved values ("memory fusion"): one Fact per entity and attribute, `ABOUT` its entity,
// with the ids of the rows that support the chosen value in `rows` (sorted; readers match a
// row to its facts through the entity: `(r)-[:DESCRIBES]->(:Entity)<-[:ABOUT]-(f)` where
// `r.id IN f.rows`). One edge per fact instead of one per supporting row: the edges were
// most of the write. `status` is `active` (synced to the fact layer) or `candidate`; `digest`
// identifies the content apart from the confidence, so unchanged facts need not be written
// again. A fact's entity is part of its id, so its `ABOUT` edge is made once, with the fact.
UNWIND $facts AS fact
MERGE (f:Fact {id: fact.id})
  ON CREATE SET f.created_at = datetime()
WITH f, fact, f.entity IS NULL AS new
SET f.entity = fact.entity, f.table = fact.table, f.key = fact.key,
    f.attribute = fact.attribute, f.value = fact.value, f.confidence = fact.confidence,
    f.supporting_sources = fact.supporting, f.contradicting_sources = fact.contradicting,
    f.evidence = fact.evidence, f.status = fact.status, f.digest = fact.digest,
    f.rows = fact.rows, f.resolved_at = datetime()
WITH f, fact
WHERE new
MATCH (e:Entity {id: fact.entity})
CREATE (f)-[:ABOUT]->(e)
