// Trust of some sources.
MATCH (s:Source) WHERE s.id IN $sources
RETURN s.id AS id, s.trust AS trust
