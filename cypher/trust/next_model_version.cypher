// The version a newly trained trust model takes.
OPTIONAL MATCH (m:TrustModel)
RETURN coalesce(max(m.version), 0) + 1 AS version
