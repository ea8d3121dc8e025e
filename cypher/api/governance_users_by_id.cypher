// The users of a batch of ids (unknown ids return nothing).
UNWIND $ids AS id
MATCH (u:User {id: id})
RETURN u.id AS id, u.name AS name, u.email AS email, u.created_at AS created_at
