// Facts stored as facts were before migration 620: a RESOLVED_FROM edge to each of their rows
// and no `rows`, each about an entity of its own that its rows (created with it) describe.
UNWIND $facts AS fact
CREATE (e:Entity {id: fact.entity, table: 'cities'})
CREATE (f:Fact {id: fact.id, entity: fact.entity, table: 'cities', attribute: 'population',
                value: '1', status: 'active'})
WITH e, f, fact
UNWIND fact.rows AS row_id
CREATE (r:Row {id: row_id, table: 'cities', status: 'active'})-[:DESCRIBES]->(e)
CREATE (f)-[:RESOLVED_FROM]->(r)
