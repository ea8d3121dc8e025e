// Co-pilot: every source's id and name, to recognise sources named in a question.
MATCH (s:Source)
RETURN s.id AS id, s.name AS name
