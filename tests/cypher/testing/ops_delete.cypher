// Test clean-up: the nodes testing/ops_seed made with $marker.
MATCH (n:IngestionRun|Row|Conflict)
WHERE n.ops_marker = $marker
DETACH DELETE n
