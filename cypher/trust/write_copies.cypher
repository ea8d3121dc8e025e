// The copying a full pass found (`trust.dependence`): per pair, the probability that the
// copier depends on the original and the values they share, summed confidence of those true
// and of those false. `since` is when the pair was first found.
UNWIND $pairs AS pair
MATCH (copier:Source {id: pair.copier}), (original:Source {id: pair.original})
MERGE (copier)-[edge:COPIES]->(original)
  ON CREATE SET edge.since = datetime()
SET edge.probability = pair.probability, edge.shared_true = pair.shared_true,
    edge.shared_false = pair.shared_false, edge.updated_at = datetime()
RETURN count(edge) AS written
