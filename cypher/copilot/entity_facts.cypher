// Co-pilot curated: the resolved facts of one entity (attribute, value, confidence).
MATCH (f:Fact {entity: $entity})
WHERE f.table IN $tables AND f.status = 'active' AND NOT f.attribute IN $personal
RETURN f.attribute AS attribute, f.value AS value, f.confidence AS confidence
ORDER BY attribute
