// The accuracy by attribute (JSON: `table.field#half` -> trust) the last full pass stored of the
// sources $sources (ids), for an incremental pass to vote with it.
MATCH (s:Source)
WHERE s.id IN $sources
RETURN s.id AS id, s.trust_attributes AS attributes
