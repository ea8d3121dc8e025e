// Open change requests whose expiry has passed.
MATCH (cr:ChangeRequest {status: 'open'})
WHERE cr.expires_at <= $now
RETURN cr.id AS id
