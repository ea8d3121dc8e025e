// Resolved values ("memory fusion"): one Fact per entity and attribute, resolved from the
// rows that support the chosen value. Facts more confident than their table's
// `sync_above` (policy) are synced to the fact layer (`active`); the others are `candidate`.
UNWIND $facts AS fact
MERGE (f:Fact {id: fact.id})
  ON CREATE SET f.created_at = datetime()
SET f.entity = fact.entity, f.table = fact.table, f.key = fact.key,
    f.attribute = fact.attribute, f.value = fact.value, f.confidence = fact.confidence,
    f.supporting_sources = fact.supporting, f.contradicting_sources = fact.contradicting,
    f.evidence = fact.evidence, f.resolved_at = datetime(),
    f.status = CASE WHEN fact.confidence > fact.sync_above THEN 'active' ELSE 'candidate' END
WITH f, fact
OPTIONAL MATCH (f)-[old:RESOLVED_FROM]->()
DELETE old
WITH DISTINCT f, fact
UNWIND fact.rows AS row_id
MATCH (r:Row {id: row_id})
MERGE (f)-[:RESOLVED_FROM]->(r)
