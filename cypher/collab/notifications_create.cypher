// One notification per recipient of an event, linked to its person.
UNWIND $notifications AS n
MATCH (u:User {id: n.user})
CREATE (note:Notification {
  id: n.id, user: n.user, kind: n.kind, subject: n.subject, subject_kind: n.subject_kind,
  table: n.table, workspace: n.workspace, message: n.message, actor: n.actor,
  created_at: n.at, delivery: n.delivery
})
CREATE (note)-[:FOR]->(u)
RETURN note.id AS id
