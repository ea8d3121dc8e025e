// Test check: the notifications of a subject, by person.
MATCH (n:Notification {subject: $subject})-[:FOR]->(u:User)
RETURN u.id AS user, n.kind AS kind, n.id AS id
ORDER BY user
