// Sources by id with their trust, its parts by table (JSON) and the source each copies, if
// any. Unknown ids return nothing.
UNWIND $ids AS source_id
MATCH (s:Source {id: source_id})
RETURN s.id AS id, s.trust AS trust, s.trust_parts AS parts, s.copies AS copies
