// A person's notification preferences: the kinds they do not want, immediate or digest
// delivery beyond the API, and whether e-mail is sent to them.
MATCH (u:User {id: $user})
SET u.notify_muted = $muted, u.notify_delivery = $delivery, u.notify_email = $by_email
RETURN u.id AS user, u.email AS email, false AS deactivated, u.notify_muted AS muted,
       u.notify_delivery AS delivery, u.notify_email AS by_email, [] AS memberships
