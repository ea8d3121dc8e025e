// Resolve an open conflict: the chosen value's rows keep the attribute, every other involved
// row has it rejected (it counts for nothing in resolution; nothing is deleted). Check-and-set
// on status and fingerprint: no record returned means the conflict changed meanwhile.
MATCH (k:Conflict {id: $id})
WHERE k.status = 'open' AND k.fingerprint = $fingerprint
SET k.status = 'resolved', k.resolution = $resolution, k.resolved_by = $actor,
    k.resolved_at = datetime()
WITH k
CALL (k) {
  UNWIND $losing AS row_id
  MATCH (r:Row {id: row_id})
  SET r.rejected_attributes = [a IN coalesce(r.rejected_attributes, []) WHERE a <> k.attribute]
                              + k.attribute
}
CALL (k) {
  UNWIND $winning AS row_id
  MATCH (r:Row {id: row_id})
  SET r.rejected_attributes = [a IN coalesce(r.rejected_attributes, []) WHERE a <> k.attribute]
}
RETURN k.id AS id
