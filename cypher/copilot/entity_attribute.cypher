// Co-pilot curated: the resolved value of one attribute of one entity, and its confidence.
MATCH (f:Fact {entity: $entity, attribute: $attribute})
WHERE f.table IN $tables AND f.status = 'active' AND NOT f.attribute IN $personal
RETURN f.attribute AS attribute, f.value AS value, f.confidence AS confidence
