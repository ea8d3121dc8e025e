// One trust model version as stored.
MATCH (m:TrustModel {version: $version})
RETURN m {.*, created_at: toString(m.created_at), trained_at: toString(m.trained_at),
          withdrawn_at: toString(m.withdrawn_at)} AS model
