// Remove the restore's marks from a batch of nodes; returns how many were left marked.
MATCH (n:GraceRestore)
WITH n LIMIT $limit
REMOVE n:GraceRestore, n.grace_restore_id
RETURN count(n) AS unmarked
