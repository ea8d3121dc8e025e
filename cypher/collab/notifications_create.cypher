// One notification per recipient of an event, linked to its person. Ids derive from the
// event and the person, so a second delivery of the same event (another worker) writes
// nothing; returns the ids created now.
UNWIND $notifications AS n
MATCH (u:User {id: n.user})
MERGE (note:Notification {id: n.id})
ON CREATE SET note.user = n.user, note.kind = n.kind, note.subject = n.subject,
  note.subject_kind = n.subject_kind, note.table = n.table, note.workspace = n.workspace,
  note.message = n.message, note.actor = n.actor, note.created_at = n.at,
  note.delivery = n.delivery, note.new = true
WITH note, u, note.new IS NOT NULL AS created
REMOVE note.new
MERGE (note)-[:FOR]->(u)
WITH note, created
WHERE created
RETURN note.id AS id, note.user AS user
