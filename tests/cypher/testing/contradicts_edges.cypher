// The CONTRADICTS edges a conflict drew, loser -> winner.
MATCH (k:Conflict {id: $conflict})-[:INVOLVES]->(loser:Row)-[edge:CONTRADICTS {conflict: $conflict}]->(winner:Row)
RETURN loser.id AS loser, winner.id AS winner, edge.attribute AS attribute, edge.kind AS kind,
       edge.score AS score
ORDER BY loser
