// The accuracy by attribute (JSON: `table.field#half` -> trust), the calibration (JSON,
// `trust.calibration.Calibration.record`) and the evidence (the claims the accuracy rests on)
// the last full pass stored of the sources $sources (ids), for an incremental pass to vote,
// to break the count's ties and to calibrate as it did.
MATCH (s:Source)
WHERE s.id IN $sources
RETURN s.id AS id, s.trust_attributes AS attributes, s.trust_calibration AS calibration,
       s.trust_evidence AS evidence
