// Sources by id with their trust, its parts by table (JSON), the sources each copies (its
// COPIES edges, most probable first), and whether a full pass estimated the trust (else it is
// the starting trust, which an incremental pass stored with its parts). Unknown ids return
// nothing.
UNWIND $ids AS source_id
MATCH (s:Source {id: source_id})
RETURN s.id AS id, s.trust AS trust, s.trust_parts AS parts,
       [(s)-[c:COPIES]->(o:Source) | {original: o.id, probability: c.probability,
                                      shared_false: c.shared_false}] AS copies,
       s.trust_updated_at IS NOT NULL AS estimated
