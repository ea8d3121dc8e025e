// Delete a comment's text and mentions, keeping it as a tombstone in its thread (the audit
// log keeps the digest of what it said). Returns nothing when it is gone or already deleted.
MATCH (c:Comment {id: $id})
WHERE c.deleted_at IS NULL
SET c.deleted_at = $at
REMOVE c.text
WITH c
OPTIONAL MATCH (c)-[m:MENTIONS]->(:User)
DELETE m
RETURN DISTINCT c.id AS id
