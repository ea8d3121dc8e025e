// A fact stored as facts were before migration 620: a RESOLVED_FROM edge to each of its rows
// and no `rows`, about an entity that its rows (created with it) describe.
CREATE (e:Entity {id: $entity, table: 'cities'})
CREATE (f:Fact {id: $fact, entity: $entity, table: 'cities', attribute: 'population',
                value: '1', status: 'active'})
WITH e, f
UNWIND $rows AS row_id
CREATE (r:Row {id: row_id, table: 'cities', status: 'active'})-[:DESCRIBES]->(e)
CREATE (f)-[:RESOLVED_FROM]->(r)
