// One person's digest: the e-mail delivery $delivery recorded pending (once: its id derives
// from the notifications it gathers; none when there is nothing they may still read) and the
// notifications $ids marked gathered into it.
FOREACH (d IN CASE WHEN $delivery IS NULL THEN [] ELSE [$delivery] END |
  MERGE (x:Delivery {id: d.id})
  ON CREATE SET x.channel = d.channel, x.recipient = d.recipient, x.body = d.body,
    x.status = 'pending', x.attempts = 0, x.created_at = d.at
)
WITH 1 AS one
UNWIND $ids AS id
MATCH (note:Notification {id: id})
SET note.digested_at = $at, note.digest_delivery = $delivery.id
RETURN count(note) AS marked
