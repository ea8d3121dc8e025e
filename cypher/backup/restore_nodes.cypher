// A batch of backed-up nodes, each marked with its id in the backup for the relationships.
UNWIND $rows AS row
CREATE (n:$(row.labels))
SET n = row.props, n:GraceRestore, n.grace_restore_id = row.id
