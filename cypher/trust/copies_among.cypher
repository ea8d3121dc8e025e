// The COPIES edges between the sources $sources (ids), for an incremental pass to discount
// the votes of copiers as the last full pass did.
MATCH (copier:Source)-[edge:COPIES]->(original:Source)
WHERE copier.id IN $sources AND original.id IN $sources
RETURN original.id AS original, copier.id AS copier, edge.probability AS probability,
       edge.shared_true AS shared_true, edge.shared_false AS shared_false
