// Sources by id with their trust, its parts by table (JSON), the sources each copies and those
// that copy it (its COPIES edges both ways, with the partner's trust), and whether a full pass estimated the trust (else it is
// the starting trust, which an incremental pass stored with its parts). Unknown ids return
// nothing.
UNWIND $ids AS source_id
MATCH (s:Source {id: source_id})
RETURN s.id AS id, s.trust AS trust, s.trust_parts AS parts,
       [(s)-[c:COPIES]->(o:Source) | {partner: o.id, partner_trust: o.trust,
                                      probability: c.probability,
                                      shared_false: c.shared_false}] AS copies,
       [(o:Source)-[c:COPIES]->(s) | {partner: o.id, partner_trust: o.trust,
                                      probability: c.probability,
                                      shared_false: c.shared_false}] AS copied_by,
       s.trust_updated_at IS NOT NULL AS estimated
