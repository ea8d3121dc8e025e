// Deactivate a user: they can no longer sign in (keys and tokens stop working); their
// history stays. Returns whether they were already deactivated; nothing for an unknown user.
MATCH (u:User {id: $id})
WITH u, u.deactivated_at IS NOT NULL AS already
SET u.deactivated_at = coalesce(u.deactivated_at, $at)
RETURN already
