// A version conflict between documents (no table of its own, as the detector writes them),
// about the made-up entity $entity so that `testing/delete_conflicts` removes it.
CREATE (k:Conflict {id: $id, kind: 'version', status: 'open', entity: $entity,
                    attribute: 'version', score: 1.0})
WITH k
MATCH (d:Document) WHERE d.id IN $documents
CREATE (k)-[:INVOLVES]->(d)
RETURN count(d) AS documents
