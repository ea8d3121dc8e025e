// Co-pilot grounding: the relationship types present in the graph.
CALL db.relationshipTypes() YIELD relationshipType
RETURN relationshipType AS type
ORDER BY type
