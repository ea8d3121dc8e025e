// Stored trust models by version (`TrustModel.version` is unique); unknown versions return
// nothing.
MATCH (m:TrustModel)
WHERE m.version IN $versions
RETURN m.version AS version, m.weights AS weights
