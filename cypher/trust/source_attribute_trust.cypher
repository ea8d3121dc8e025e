// The accuracy by attribute (JSON: `table.field#half` -> trust) and the calibration (JSON,
// `trust.calibration.Calibration.record`) the last full pass stored of the sources $sources
// (ids), for an incremental pass to vote and to calibrate as it did.
MATCH (s:Source)
WHERE s.id IN $sources
RETURN s.id AS id, s.trust_attributes AS attributes, s.trust_calibration AS calibration
