// Every trust model version and whether it is in force (tests restore them afterwards).
MATCH (m:TrustModel)
RETURN m.version AS version, m.in_force AS in_force
ORDER BY version
