// Every user, by id.
MATCH (u:User)
RETURN u.id AS id, u.name AS name, u.email AS email, u.created_at AS created_at
ORDER BY u.id
