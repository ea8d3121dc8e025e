// The COPIES edges that touch any of $sources (ids).
MATCH (copier:Source)-[edge:COPIES]->(original:Source)
WHERE copier.id IN $sources OR original.id IN $sources
RETURN copier.id AS copier, original.id AS original, edge.probability AS probability,
       edge.shared_true AS shared_true, edge.shared_false AS shared_false, edge.since AS since
