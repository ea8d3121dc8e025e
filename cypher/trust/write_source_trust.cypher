// Trust of named sources (a source named by a row's own column is created on first use),
// with its parts by table (JSON: table -> share of the trust, see `trust.engine.source_parts`)
// its accuracy by attribute (JSON: `table.field#half` -> trust, `trust.attribute_trust`),
// what its facts' confidence is calibrated with (JSON, `trust.calibration`) and the claims its
// accuracy rests on (`trust.tie_break.evidence`, for incremental passes to break ties alike);
// returns the previous values for `trust.updated` events. A named source is called by its
// location, the column's value. Copying is in COPIES edges (`trust/write_copies`); the `copies`
// property they replaced is removed.
UNWIND $sources AS source
MERGE (s:Source {id: source.id})
  ON CREATE SET s.kind = source.kind, s.location = source.location, s.name = source.location,
                s.created_at = datetime()
WITH s, source, s.trust AS before
SET s.trust = source.trust, s.trust_updated_at = datetime(), s.trust_parts = source.parts,
    s.trust_attributes = source.attributes, s.trust_calibration = source.calibration,
    s.trust_evidence = source.evidence
REMOVE s.copies
RETURN s.id AS id, before, s.trust AS after
