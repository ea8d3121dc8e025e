// The trust model in force (the latest version put in force), if any.
MATCH (m:TrustModel)
WHERE m.in_force
RETURN m.weights AS weights
ORDER BY m.version DESC
LIMIT 1
