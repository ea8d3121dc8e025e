// A trained trust model as a new version (TrainedModel JSON in `weights`, validation metrics
// JSON in `metrics`). A model put in force takes every other version out of force.
CREATE (m:TrustModel {id: 'trust-model:' + toString($version), version: $version,
                      created_at: datetime(), trained_at: $trained_at, features: $features,
                      weights: $weights, metrics: $metrics, decisions: $decisions,
                      in_force: $in_force})
WITH m
CALL (m) {
  MATCH (other:TrustModel)
  WHERE m.in_force AND other.in_force AND other.version <> m.version
  SET other.in_force = false, other.withdrawn_at = datetime()
}
RETURN m.version AS version
