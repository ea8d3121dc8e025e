// What an after-ingest pass leaves about some entities: their rows (with their document's
// source, status, stored trust, rejected attributes and policy violations), their conflicts
// and their facts.
UNWIND $entities AS entity_id
MATCH (e:Entity {id: entity_id})
RETURN entity_id AS entity,
       [(e)<-[:DESCRIBES]-(r:Row) | {id: r.id, status: r.status, trust: r.trust,
         rejected: coalesce(r.rejected_attributes, []), violations: COUNT { (r)-[:VIOLATES]->() },
         document: [(r)-[:EXTRACTED_FROM]->(d:Document) | d.source][0]}] AS rows,
       COLLECT { MATCH (k:Conflict {entity: entity_id})
                 RETURN {attribute: k.attribute, status: k.status, kind: k.kind,
                         score: k.score} } AS conflicts,
       COLLECT { MATCH (f:Fact {entity: entity_id})
                 RETURN {attribute: f.attribute, value: f.value, status: f.status,
                         confidence: f.confidence, supporting: f.supporting,
                         contradicting: f.contradicting} } AS facts
