// Co-pilot grounding: the property keys of each label of the co-pilot's view
// (`copilot.guard.LABELS`; a test keeps the two equal), from the first $sample nodes of each
// label. A label scan stopped by LIMIT costs milliseconds where db.schema.nodeTypeProperties
// reads every node of the store (seconds on a large graph) and warns of a format change.
CALL () {
  MATCH (n:Conflict) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'Conflict' AS label, property
  UNION
  MATCH (n:Document) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'Document' AS label, property
  UNION
  MATCH (n:Entity) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'Entity' AS label, property
  UNION
  MATCH (n:Fact) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'Fact' AS label, property
  UNION
  MATCH (n:IngestionRun) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'IngestionRun' AS label, property
  UNION
  MATCH (n:Row) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'Row' AS label, property
  UNION
  MATCH (n:SchemaVersion) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'SchemaVersion' AS label, property
  UNION
  MATCH (n:Source) WITH n LIMIT $sample UNWIND keys(n) AS property RETURN 'Source' AS label, property
}
RETURN label, property
ORDER BY label, property
