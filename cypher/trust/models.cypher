// Every trust model version, newest first.
MATCH (m:TrustModel)
RETURN m.version AS version, m.weights AS weights, m.decisions AS decisions,
       m.in_force AS in_force, m.created_at AS created_at
ORDER BY m.version DESC
