// The people who chose e-mail with notifications of `digest` delivery not yet gathered into a
// digest, each with up to $limit of them, oldest first.
MATCH (note:Notification {delivery: 'digest'})-[:FOR]->(u:User)
WHERE note.digested_at IS NULL AND u.notify_email = true AND u.email IS NOT NULL
WITH u, note
ORDER BY note.created_at, note.id
WITH u, collect(note {
  .id, .kind, .subject, .subject_kind, .table, .workspace, .message, .actor, .created_at
})[..$limit] AS items
RETURN u.id AS user, items
