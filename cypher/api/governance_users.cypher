// A page of users by id, after $after (an id) when given.
MATCH (u:User)
WHERE $after IS NULL OR u.id > $after
RETURN u.id AS id, u.name AS name, u.email AS email, u.created_at AS created_at
ORDER BY u.id
LIMIT $limit
