// Co-pilot grounding: the property keys of each label of the co-pilot's view, from Neo4j's
// live schema.
CALL db.schema.nodeTypeProperties() YIELD nodeLabels, propertyName
UNWIND nodeLabels AS label
WITH label, propertyName
WHERE label IN $labels
RETURN DISTINCT label, propertyName AS property
ORDER BY label, property
