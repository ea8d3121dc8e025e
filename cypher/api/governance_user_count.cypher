// How many users there are.
MATCH (u:User)
RETURN count(u) AS total
