// The names of the sources $ids (a source without a name is called by its id).
MATCH (s:Source)
WHERE s.id IN $ids
RETURN s.id AS id, coalesce(s.name, s.id) AS name
