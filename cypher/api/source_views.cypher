// Sources by id as the API shows them: name, kind, trust, whether a full pass estimated it,
// the tables of its trust parts, the accuracy by attribute it votes with (JSON, as the full
// pass stored it), and its COPIES edges both ways (the partner, the tables of
// the partner's parts, and the edge's probability, shared values and since). Unknown ids and
// sources no trust pass reached (no parts) return nothing; who may see what is the caller's
// business (`api/gql/sources.py`).
UNWIND $ids AS source_id
MATCH (s:Source {id: source_id})
WHERE s.trust_parts IS NOT NULL
RETURN s.id AS id, s.kind AS kind, s.location AS location,
       s.trust AS trust, s.trust_updated_at IS NOT NULL AS estimated,
       keys(apoc.convert.fromJsonMap(s.trust_parts)) AS tables,
       s.trust_attributes AS attributes,
       [(s)-[c:COPIES]->(o:Source) WHERE o.trust_parts IS NOT NULL |
         {partner: o.id, tables: keys(apoc.convert.fromJsonMap(o.trust_parts)),
          probability: c.probability, shared_true: c.shared_true,
          shared_false: c.shared_false, since: c.since}] AS copies,
       [(o:Source)-[c:COPIES]->(s) WHERE o.trust_parts IS NOT NULL |
         {partner: o.id, tables: keys(apoc.convert.fromJsonMap(o.trust_parts)),
          probability: c.probability, shared_true: c.shared_true,
          shared_false: c.shared_false, since: c.since}] AS copied_by
