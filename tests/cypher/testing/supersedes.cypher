// Version chain of one file: which version supersedes which.
MATCH (new:Document {source: $source, path: $path})-[:SUPERSEDES]->(old:Document)
RETURN new.version AS new, old.version AS old
ORDER BY new
