// A batch of backed-up relationships between restored nodes.
UNWIND $rows AS row
MATCH (a:GraceRestore {grace_restore_id: row.start})
MATCH (b:GraceRestore {grace_restore_id: row.end})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
