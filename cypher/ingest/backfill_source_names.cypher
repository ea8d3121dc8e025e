// Sources written before sources had a `name` gain one: their id without its kind prefix
// (`folder:registry` is called `registry`). Returns how many changed.
MATCH (s:Source)
WHERE s.name IS NULL
SET s.name = CASE
      WHEN s.id CONTAINS ':' THEN substring(s.id, size(split(s.id, ':')[0]) + 1)
      ELSE s.id
    END
RETURN count(s) AS updated
