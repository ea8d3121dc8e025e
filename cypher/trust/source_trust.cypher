// The current trust of every source (the prior of the next computation).
MATCH (s:Source)
RETURN s.id AS id, s.trust AS trust
